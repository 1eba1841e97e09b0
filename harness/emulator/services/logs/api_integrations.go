package logs

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- OpenSearch integrations ----

type integrationRef struct {
	IntegrationName string `json:"integrationName" required:"true" min:"1" max:"50" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
}

type putIntegrationInput struct {
	integrationRef
	ResourceConfig *struct {
		OpenSearchResourceConfig *struct {
			KmsKeyArn                 string   `json:"kmsKeyArn"`
			DataSourceRoleArn         *string  `json:"dataSourceRoleArn" required:"true"`
			DashboardViewerPrincipals []string `json:"dashboardViewerPrincipals" required:"true"`
			ApplicationArn            string   `json:"applicationArn"`
			RetentionDays             *int32   `json:"retentionDays" required:"true" min:"1" max:"30"`
		} `json:"openSearchResourceConfig"`
	} `json:"resourceConfig" required:"true"`
	IntegrationType string `json:"integrationType" required:"true" enum:"OPENSEARCH"`
}

type deleteIntegrationInput struct {
	integrationRef
	Force *bool `json:"force"`
}

type listIntegrationsInput struct {
	IntegrationNamePrefix *string `json:"integrationNamePrefix" min:"1" max:"50" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	IntegrationType       string  `json:"integrationType" enum:"OPENSEARCH"`
	IntegrationStatus     string  `json:"integrationStatus" enum:"PROVISIONING,ACTIVE,FAILED"`
}

type integrationSummary struct {
	IntegrationName   string `json:"integrationName"`
	IntegrationType   string `json:"integrationType"`
	IntegrationStatus string `json:"integrationStatus"`
}

type openSearchStatus struct {
	Status string `json:"status"`
}

type openSearchPolicy struct {
	PolicyName string           `json:"policyName"`
	Status     openSearchStatus `json:"status"`
}

type getIntegrationOutput struct {
	integrationSummary
	IntegrationDetails struct {
		OpenSearchIntegrationDetails struct {
			DataSource struct {
				DataSourceName string           `json:"dataSourceName"`
				Status         openSearchStatus `json:"status"`
			} `json:"dataSource"`
			Application struct {
				ApplicationEndpoint string           `json:"applicationEndpoint"`
				ApplicationArn      string           `json:"applicationArn"`
				ApplicationID       string           `json:"applicationId"`
				Status              openSearchStatus `json:"status"`
			} `json:"application"`
			Collection struct {
				CollectionEndpoint string           `json:"collectionEndpoint"`
				CollectionArn      string           `json:"collectionArn"`
				Status             openSearchStatus `json:"status"`
			} `json:"collection"`
			Workspace struct {
				WorkspaceID string           `json:"workspaceId"`
				Status      openSearchStatus `json:"status"`
			} `json:"workspace"`
			EncryptionPolicy openSearchPolicy `json:"encryptionPolicy"`
			NetworkPolicy    openSearchPolicy `json:"networkPolicy"`
			AccessPolicy     openSearchPolicy `json:"accessPolicy"`
			LifecyclePolicy  openSearchPolicy `json:"lifecyclePolicy"`
		} `json:"openSearchIntegrationDetails"`
	} `json:"integrationDetails"`
}

type putIntegrationOutput struct {
	IntegrationName   string `json:"integrationName"`
	IntegrationStatus string `json:"integrationStatus"`
}

func (s *Service) putIntegration(c *awsproto.Call, in *putIntegrationInput) (putIntegrationOutput, error) {
	os := in.ResourceConfig.OpenSearchResourceConfig
	if os == nil {
		return putIntegrationOutput{}, errInvalidParameter.New("openSearchResourceConfig is required for an OPENSEARCH integration.")
	}
	in2 := Integration{Name: in.IntegrationName, Type: in.IntegrationType, Status: "ACTIVE", DataSourceRoleArn: *os.DataSourceRoleArn,
		KmsKeyArn: os.KmsKeyArn, ApplicationArn: os.ApplicationArn, Principals: os.DashboardViewerPrincipals, RetentionDays: *os.RetentionDays,
		Created: s.env.Now().UnixMilli()}
	if err := s.store.cfg.PutIntegration(c.Region, in2); err != nil {
		return putIntegrationOutput{}, err
	}
	return putIntegrationOutput{IntegrationName: in2.Name, IntegrationStatus: in2.Status}, nil
}

func (s *Service) getIntegration(c *awsproto.Call, in *integrationRef) (getIntegrationOutput, error) {
	var out getIntegrationOutput
	it, err := s.store.cfg.Integration(c.Region, in.IntegrationName)
	if err != nil {
		return out, err
	}
	out.integrationSummary = integrationSummary{IntegrationName: it.Name, IntegrationType: it.Type, IntegrationStatus: it.Status}
	d := &out.IntegrationDetails.OpenSearchIntegrationDetails
	active := openSearchStatus{Status: "ACTIVE"}
	base := strings.ToLower(strings.NewReplacer("_", "-", "/", "-", "#", "-", ".", "-").Replace(it.Name))
	d.DataSource.DataSourceName, d.DataSource.Status = strings.ReplaceAll(base, "-", "_"), active
	appID := "logs-" + base
	d.Application.ApplicationID, d.Application.Status = appID, active
	d.Application.ApplicationArn = it.ApplicationArn
	if d.Application.ApplicationArn == "" {
		d.Application.ApplicationArn = "arn:aws:opensearch:" + c.Region + ":" + s.env.Account + ":application/" + appID
	}
	d.Application.ApplicationEndpoint = "https://application-" + appID + "." + c.Region + ".opensearch.amazonaws.com"
	d.Collection.CollectionArn = "arn:aws:aoss:" + c.Region + ":" + s.env.Account + ":collection/" + base
	d.Collection.CollectionEndpoint = "https://" + base + "." + c.Region + ".aoss.amazonaws.com"
	d.Collection.Status = active
	d.Workspace.WorkspaceID, d.Workspace.Status = base, active
	for _, p := range []*openSearchPolicy{&d.EncryptionPolicy, &d.NetworkPolicy, &d.AccessPolicy, &d.LifecyclePolicy} {
		p.PolicyName, p.Status = base, active
	}
	return out, nil
}

func (s *Service) listIntegrations(c *awsproto.Call, in *listIntegrationsInput) (struct {
	IntegrationSummaries []integrationSummary `json:"integrationSummaries"`
}, error) {
	var out struct {
		IntegrationSummaries []integrationSummary `json:"integrationSummaries"`
	}
	list := s.store.cfg.Integrations(c.Region, func(it *Integration) bool {
		return strings.HasPrefix(it.Name, deref(in.IntegrationNamePrefix)) && (in.IntegrationType == "" || it.Type == in.IntegrationType) &&
			(in.IntegrationStatus == "" || it.Status == in.IntegrationStatus)
	})
	out.IntegrationSummaries = make([]integrationSummary, len(list))
	for i, it := range list {
		out.IntegrationSummaries[i] = integrationSummary{IntegrationName: it.Name, IntegrationType: it.Type, IntegrationStatus: it.Status}
	}
	return out, nil
}

func (s *Service) deleteIntegration(c *awsproto.Call, in *deleteIntegrationInput) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteIntegration(c.Region, in.IntegrationName)
}

// ---- S3 table integration sources ----

type dataSource struct {
	Name *string `json:"name" required:"true"`
	Type string  `json:"type,omitempty"`
}

type associateSourceInput struct {
	IntegrationArn *string     `json:"integrationArn" required:"true"`
	DataSource     *dataSource `json:"dataSource" required:"true"`
}

// Validate: the integration is named by an ARN.
func (in *associateSourceInput) Validate() error {
	if !strings.HasPrefix(*in.IntegrationArn, "arn:") {
		return errValidation.Errorf("Invalid integration ARN: %s", *in.IntegrationArn)
	}
	if *in.DataSource.Name == "" {
		return errValidation.New("The data source name must not be empty.")
	}
	return nil
}

type s3SourceRef struct {
	Identifier string `json:"identifier" required:"true" min:"1" max:"2048"`
}

type listSourcesInput struct {
	IntegrationArn *string `json:"integrationArn" required:"true"`
	MaxResults     *int32  `json:"maxResults" min:"1" max:"100"`
	NextToken      *string `json:"nextToken" min:"1"`
}

type s3SourceOut struct {
	Identifier       string     `json:"identifier"`
	DataSource       dataSource `json:"dataSource"`
	Status           string     `json:"status"`
	CreatedTimeStamp int64      `json:"createdTimeStamp"`
}

func (s *Service) associateSourceToS3TableIntegration(c *awsproto.Call, in *associateSourceInput) (s3SourceRef, error) {
	src := S3TableSource{ID: strings.ReplaceAll(s.env.NewID(), "-", ""), IntegrationArn: *in.IntegrationArn, Name: *in.DataSource.Name,
		Type: in.DataSource.Type, Created: s.env.Now().UnixMilli()}
	if err := s.store.cfg.AssociateS3TableSource(c.Region, src); err != nil {
		return s3SourceRef{}, err
	}
	return s3SourceRef{Identifier: src.ID}, nil
}

func (s *Service) disassociateSourceFromS3TableIntegration(c *awsproto.Call, in *s3SourceRef) (s3SourceRef, error) {
	return s3SourceRef{Identifier: in.Identifier}, s.store.cfg.DisassociateS3TableSource(c.Region, in.Identifier)
}

func (s *Service) listSourcesForS3TableIntegration(c *awsproto.Call, in *listSourcesInput) (struct {
	Sources   []s3SourceOut `json:"sources"`
	NextToken string        `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		Sources   []s3SourceOut `json:"sources"`
		NextToken string        `json:"nextToken,omitempty"`
	}
	page, next, ok := pageOf(s.store.cfg.S3TableSources(c.Region, *in.IntegrationArn), func(s S3TableSource) string { return s.ID }, deref(in.NextToken), limitOr(in.MaxResults, 100))
	if !ok {
		return out, errValidation.New(msgBadToken)
	}
	out.Sources, out.NextToken = make([]s3SourceOut, len(page)), next
	for i, src := range page {
		name := src.Name
		out.Sources[i] = s3SourceOut{Identifier: src.ID, DataSource: dataSource{Name: &name, Type: src.Type}, Status: "ACTIVE", CreatedTimeStamp: src.Created}
	}
	return out, nil
}
