package apigateway

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// VPC links, client certificates, the account settings, SDK types and
// generation, stage caches, and the updates of method and integration
// responses and of a key's usage.

func (s *Service) accountOperations() []awsproto.Operation {
	const (
		stage  = "/restapis/{restapi_id}/stages/{stage_name}"
		method = "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}"
	)
	h := func(op awsproto.Operation, route string, status int) awsproto.Operation {
		return op.At(route).WithStatus(status)
	}
	return []awsproto.Operation{
		h(awsproto.Handle("CreateVpcLink", s.createVpcLink), "POST /vpclinks", http.StatusAccepted),
		h(awsproto.Handle("GetVpcLinks", s.getVpcLinks), "GET /vpclinks", http.StatusOK),
		h(awsproto.Handle("GetVpcLink", s.getVpcLink), "GET /vpclinks/{vpclink_id}", http.StatusOK),
		h(awsproto.Handle("UpdateVpcLink", s.updateVpcLink), "PATCH /vpclinks/{vpclink_id}", http.StatusOK),
		h(awsproto.Handle("DeleteVpcLink", s.deleteVpcLink), "DELETE /vpclinks/{vpclink_id}", http.StatusAccepted),

		h(awsproto.Handle("GenerateClientCertificate", s.generateClientCert), "POST /clientcertificates", http.StatusCreated),
		h(awsproto.Handle("GetClientCertificates", s.getClientCerts), "GET /clientcertificates", http.StatusOK),
		h(awsproto.Handle("GetClientCertificate", s.getClientCert), "GET /clientcertificates/{clientcertificate_id}", http.StatusOK),
		h(awsproto.Handle("UpdateClientCertificate", s.updateClientCert), "PATCH /clientcertificates/{clientcertificate_id}", http.StatusOK),
		h(awsproto.Handle("DeleteClientCertificate", s.deleteClientCert), "DELETE /clientcertificates/{clientcertificate_id}", http.StatusAccepted),

		h(awsproto.Handle("GetAccount", s.getAccount), "GET /account", http.StatusOK),
		h(awsproto.Handle("UpdateAccount", s.updateAccount), "PATCH /account", http.StatusOK),

		h(awsproto.Handle("GetSdkTypes", s.getSdkTypes), "GET /sdktypes", http.StatusOK),
		h(awsproto.Handle("GetSdkType", s.getSdkType), "GET /sdktypes/{sdktype_id}", http.StatusOK),
		h(awsproto.Handle("GetSdk", s.getSdk), "GET "+stage+"/sdks/{sdk_type}", http.StatusOK),

		h(awsproto.Handle("FlushStageCache", s.flushStageCache), "DELETE "+stage+"/cache/data", http.StatusAccepted),
		h(awsproto.Handle("FlushStageAuthorizersCache", s.flushStageAuthorizersCache), "DELETE "+stage+"/cache/authorizers", http.StatusAccepted),

		h(awsproto.Handle("UpdateMethodResponse", s.updateMethodResponse), "PATCH "+method+"/responses/{status_code}", http.StatusCreated),
		h(awsproto.Handle("UpdateIntegrationResponse", s.updateIntegrationResponse), "PATCH "+method+"/integration/responses/{status_code}", http.StatusOK),
		h(awsproto.Handle("UpdateUsage", s.updateUsage), "PATCH /usageplans/{usageplanId}/keys/{keyId}/usage", http.StatusOK),
		// The model's requestUri: ServeHTTP routes it (a request path never
		// holds a '?', so the mux never matches it).
		h(awsproto.Handle("ImportApiKeys", s.importAPIKeys), "POST /apikeys?mode=import", http.StatusCreated),
	}
}

// --- VPC links

type vpcLinkOut struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Description   string            `json:"description,omitempty"`
	TargetArns    []string          `json:"targetArns"`
	Status        string            `json:"status"`
	StatusMessage string            `json:"statusMessage,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
}

func vpcLinkView(l VpcLink) vpcLinkOut {
	return vpcLinkOut{ID: l.ID, Name: l.Name, Description: l.Description, TargetArns: l.TargetArns, Status: "AVAILABLE",
		StatusMessage: "Your vpc link is ready for use", Tags: l.Tags}
}

type createVpcLinkInput struct {
	Name        string            `json:"name" required:"true"`
	Description string            `json:"description"`
	TargetArns  []string          `json:"targetArns" required:"true"`
	Tags        map[string]string `json:"tags"`
}

func (s *Service) createVpcLink(c *awsproto.Call, in *createVpcLinkInput) (vpcLinkOut, error) {
	if len(in.TargetArns) != 1 {
		return vpcLinkOut{}, ErrBadRequest.New("A VPC link must have exactly one target ARN")
	}
	for _, arn := range in.TargetArns {
		if !strings.HasPrefix(arn, "arn:") {
			return vpcLinkOut{}, ErrBadRequest.New("Invalid ARN specified in the request")
		}
	}
	return vpcLinkView(s.store.CreateVpcLink(&VpcLink{Region: c.Region, Name: in.Name, Description: in.Description,
		TargetArns: in.TargetArns, Tags: in.Tags})), nil
}

func (s *Service) getVpcLinks(c *awsproto.Call, in *pageInput) (listOut[vpcLinkOut], error) {
	return page(*in, s.store.VpcLinks(c.Region), vpcLinkView)
}

type vpcLinkPath struct {
	VpcLinkID string `json:"-" location:"uri" name:"vpclink_id"`
}

func (s *Service) getVpcLink(c *awsproto.Call, in *vpcLinkPath) (vpcLinkOut, error) {
	return as(vpcLinkView)(s.store.VpcLink(c.Region, in.VpcLinkID))
}

type updateVpcLinkInput struct {
	vpcLinkPath
	patchInput
}

func (s *Service) updateVpcLink(c *awsproto.Call, in *updateVpcLinkInput) (vpcLinkOut, error) {
	return as(vpcLinkView)(s.store.EditVpcLink(c.Region, in.VpcLinkID, in.PatchOperations, false))
}

func (s *Service) deleteVpcLink(c *awsproto.Call, in *vpcLinkPath) (struct{}, error) {
	_, err := s.store.EditVpcLink(c.Region, in.VpcLinkID, nil, true)
	return struct{}{}, err
}

// --- client certificates

type clientCertOut struct {
	ID             string            `json:"clientCertificateId"`
	Description    string            `json:"description,omitempty"`
	PEM            string            `json:"pemEncodedCertificate"`
	CreatedDate    int64             `json:"createdDate"`
	ExpirationDate int64             `json:"expirationDate"`
	Tags           map[string]string `json:"tags,omitempty"`
}

func clientCertView(c ClientCert) clientCertOut {
	return clientCertOut{ID: c.ID, Description: c.Description, PEM: c.PEM, CreatedDate: epoch(c.Created),
		ExpirationDate: epoch(c.Expires), Tags: c.Tags}
}

type generateClientCertInput struct {
	Description string            `json:"description"`
	Tags        map[string]string `json:"tags"`
}

// generateClientCert makes a self-signed certificate valid for a year, as
// AWS's are (an ECDSA P-256 key here: quick to make; AWS's are RSA).
func (s *Service) generateClientCert(c *awsproto.Call, in *generateClientCertInput) (clientCertOut, error) {
	now := s.env.Now().UTC()
	pemCert, err := selfSignedPEM(now, now.AddDate(1, 0, 0))
	if err != nil {
		return clientCertOut{}, err
	}
	return clientCertView(s.store.CreateClientCert(&ClientCert{Region: c.Region, Description: in.Description, PEM: pemCert,
		Created: now, Expires: now.AddDate(1, 0, 0), Tags: in.Tags})), nil
}

func selfSignedPEM(from, to time.Time) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "ApiGateway"}, NotBefore: from, NotAfter: to,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

func (s *Service) getClientCerts(c *awsproto.Call, in *pageInput) (listOut[clientCertOut], error) {
	return page(*in, s.store.ClientCerts(c.Region), clientCertView)
}

type clientCertPath struct {
	ClientCertificateID string `json:"-" location:"uri" name:"clientcertificate_id"`
}

func (s *Service) getClientCert(c *awsproto.Call, in *clientCertPath) (clientCertOut, error) {
	return as(clientCertView)(s.store.EditClientCert(c.Region, in.ClientCertificateID, nil, false))
}

type updateClientCertInput struct {
	clientCertPath
	patchInput
}

func (s *Service) updateClientCert(c *awsproto.Call, in *updateClientCertInput) (clientCertOut, error) {
	return as(clientCertView)(s.store.EditClientCert(c.Region, in.ClientCertificateID, in.PatchOperations, false))
}

func (s *Service) deleteClientCert(c *awsproto.Call, in *clientCertPath) (struct{}, error) {
	_, err := s.store.EditClientCert(c.Region, in.ClientCertificateID, nil, true)
	return struct{}{}, err
}

// --- account

type accountOut struct {
	CloudwatchRoleArn string       `json:"cloudwatchRoleArn,omitempty"`
	ThrottleSettings  throttleJSON `json:"throttleSettings"`
	Features          []string     `json:"features"`
	APIKeyVersion     string       `json:"apiKeyVersion"`
}

// accountView answers with AWS's default account limits.
func accountView(a Account) accountOut {
	return accountOut{CloudwatchRoleArn: a.CloudwatchRoleArn, ThrottleSettings: throttleJSON{BurstLimit: 5000, RateLimit: 10000},
		Features: []string{"UsagePlans"}, APIKeyVersion: "4"}
}

func (s *Service) getAccount(c *awsproto.Call, in *struct{}) (accountOut, error) {
	return as(accountView)(s.store.EditAccount(c.Region, nil))
}

func (s *Service) updateAccount(c *awsproto.Call, in *patchInput) (accountOut, error) {
	return as(accountView)(s.store.EditAccount(c.Region, in.PatchOperations))
}

// --- SDK types and SDKs

type sdkConfigPropertyOut struct {
	Name         string `json:"name"`
	FriendlyName string `json:"friendlyName"`
	Description  string `json:"description"`
	Required     bool   `json:"required"`
	DefaultValue string `json:"defaultValue,omitempty"`
}

type sdkTypeOut struct {
	ID                      string                 `json:"id"`
	FriendlyName            string                 `json:"friendlyName"`
	Description             string                 `json:"description"`
	ConfigurationProperties []sdkConfigPropertyOut `json:"configurationProperties"`
}

// sdkTypes are the SDKs API Gateway generates, as GetSdkTypes lists them.
var sdkTypes = []sdkTypeOut{
	{ID: "android", FriendlyName: "Android", Description: "Java SDK for Android", ConfigurationProperties: []sdkConfigPropertyOut{
		{Name: "groupId", FriendlyName: "Group ID", Description: "", Required: true},
		{Name: "invokerPackage", FriendlyName: "Invoker package", Description: "", Required: true},
		{Name: "artifactId", FriendlyName: "Artifact ID", Description: "", Required: true},
		{Name: "artifactVersion", FriendlyName: "Artifact version", Description: "", Required: true},
	}},
	{ID: "java", FriendlyName: "Java", Description: "Java SDK", ConfigurationProperties: []sdkConfigPropertyOut{
		{Name: "service.name", FriendlyName: "Service Name", Description: "", Required: true},
		{Name: "java.package-name", FriendlyName: "Java Package Name", Description: "", Required: true},
		{Name: "java.build-system", FriendlyName: "Java Build System", Description: "", Required: false, DefaultValue: "maven"},
		{Name: "java.group-id", FriendlyName: "Java Group Id", Description: "", Required: false},
		{Name: "java.artifact-id", FriendlyName: "Java Artifact Id", Description: "", Required: false},
		{Name: "java.artifact-version", FriendlyName: "Java Artifact Version", Description: "", Required: false},
	}},
	{ID: "javascript", FriendlyName: "JavaScript", Description: "JavaScript SDK", ConfigurationProperties: []sdkConfigPropertyOut{}},
	{ID: "objectivec", FriendlyName: "iOS (Objective-C)", Description: "Objective-C SDK for iOS", ConfigurationProperties: []sdkConfigPropertyOut{
		{Name: "classPrefix", FriendlyName: "Prefix", Description: "", Required: true},
	}},
	{ID: "ruby", FriendlyName: "Ruby", Description: "Ruby SDK", ConfigurationProperties: []sdkConfigPropertyOut{
		{Name: "service.name", FriendlyName: "Service Name", Description: "", Required: true},
		{Name: "ruby.gem-name", FriendlyName: "Ruby Gem Name", Description: "", Required: false},
		{Name: "ruby.gem-version", FriendlyName: "Ruby Gem Version", Description: "", Required: false},
	}},
	{ID: "swift", FriendlyName: "iOS (Swift)", Description: "Swift SDK for iOS", ConfigurationProperties: []sdkConfigPropertyOut{
		{Name: "classPrefix", FriendlyName: "Prefix", Description: "", Required: true},
	}},
}

func (s *Service) getSdkTypes(c *awsproto.Call, in *pageInput) (listOut[sdkTypeOut], error) {
	return page(*in, sdkTypes, func(t sdkTypeOut) sdkTypeOut { return t })
}

type sdkTypePath struct {
	ID string `json:"-" location:"uri" name:"sdktype_id"`
}

func sdkTypeOf(id string) (sdkTypeOut, bool) {
	for _, t := range sdkTypes {
		if t.ID == id {
			return t, true
		}
	}
	return sdkTypeOut{}, false
}

func (s *Service) getSdkType(c *awsproto.Call, in *sdkTypePath) (sdkTypeOut, error) {
	t, ok := sdkTypeOf(in.ID)
	if !ok {
		return sdkTypeOut{}, ErrNotFound.New("Invalid SDK type specified")
	}
	return t, nil
}

type getSdkInput struct {
	stagePath
	SdkType string `json:"-" location:"uri" name:"sdk_type"`
	// parameters, the model's map of the whole query string, is read from the request
}

type fileOut struct {
	ContentType        string `json:"-" location:"header" name:"Content-Type"`
	ContentDisposition string `json:"-" location:"header" name:"Content-Disposition"`
	Body               []byte `json:"-" location:"body"`
}

// getSdk answers a zip holding a README that says what AWS would generate:
// groundstack generates no client code. Required configuration properties
// are checked as AWS checks them.
func (s *Service) getSdk(c *awsproto.Call, in *getSdkInput) (fileOut, error) {
	t, ok := sdkTypeOf(in.SdkType)
	if !ok {
		return fileOut{}, ErrNotFound.New("Invalid SDK type specified")
	}
	if _, err := read(s, in.RestAPIID, func(a *API) (*Stage, error) { return a.Stage(in.StageName) }); err != nil {
		return fileOut{}, err
	}
	for _, p := range t.ConfigurationProperties {
		if p.Required && c.Request.URL.Query().Get(p.Name) == "" {
			return fileOut{}, ErrBadRequest.Errorf("Missing required parameter: %s", p.Name)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("README.md")
	if err != nil {
		return fileOut{}, err
	}
	f.Write([]byte("# " + t.FriendlyName + " SDK for API " + in.RestAPIID + ", stage " + in.StageName + "\n\n" +
		"groundstack does not generate SDK code; call the API at its invoke URL, or export its OpenAPI definition (GetExport).\n"))
	if err := zw.Close(); err != nil {
		return fileOut{}, err
	}
	return fileOut{ContentType: "application/octet-stream",
		ContentDisposition: `attachment; filename="` + in.RestAPIID + "-" + in.StageName + "-" + in.SdkType + `.zip"`,
		Body:               buf.Bytes()}, nil
}

// --- stage caches

// flushStageCache answers as AWS does for an existing stage: no response
// cache is emulated, so there is nothing to flush.
func (s *Service) flushStageCache(c *awsproto.Call, in *stagePath) (struct{}, error) {
	_, err := read(s, in.RestAPIID, func(a *API) (*Stage, error) { return a.Stage(in.StageName) })
	return struct{}{}, err
}

// flushStageAuthorizersCache drops the cached authorizer verdicts.
func (s *Service) flushStageAuthorizersCache(c *awsproto.Call, in *stagePath) (struct{}, error) {
	if _, err := read(s, in.RestAPIID, func(a *API) (*Stage, error) { return a.Stage(in.StageName) }); err != nil {
		return struct{}{}, err
	}
	s.store.auth.reset()
	return struct{}{}, nil
}

// --- method and integration responses

type updateResponseInput struct {
	responsePath
	patchInput
}

func (s *Service) updateMethodResponse(c *awsproto.Call, in *updateResponseInput) (methodResponseOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (methodResponseOut, error) {
		return as(methodResponseView)(a.PatchMethodResponse(in.ResourceID, in.HTTPMethod, in.StatusCode, in.PatchOperations))
	})
}

func (s *Service) updateIntegrationResponse(c *awsproto.Call, in *updateResponseInput) (integrationResponseOut, error) {
	return edit(s, in.RestAPIID, func(a *API) (integrationResponseOut, error) {
		return as(integrationResponseView)(a.PatchIntegrationResponse(in.ResourceID, in.HTTPMethod, in.StatusCode, in.PatchOperations))
	})
}

// --- usage

type updateUsageInput struct {
	usagePlanPath
	KeyID string `json:"-" location:"uri" name:"keyId"`
	patchInput
}

func (s *Service) updateUsage(c *awsproto.Call, in *updateUsageInput) (usageOut, error) {
	u, err := s.store.SetRemaining(in.UsagePlanID, in.KeyID, in.PatchOperations)
	if err != nil {
		return usageOut{}, err
	}
	return usageOut{UsagePlanID: in.UsagePlanID, StartDate: u.Start, EndDate: u.End, Values: u.Values}, nil
}

// --- import of API keys

type importAPIKeysInput struct {
	Body           []byte `json:"-" location:"body" required:"true"`
	Format         string `json:"-" location:"querystring" name:"format" required:"true" enum:"csv"`
	FailOnWarnings string `json:"-" location:"querystring" name:"failonwarnings"`
}

type apiKeyIDsOut struct {
	IDs      []string `json:"ids"`
	Warnings []string `json:"warnings,omitempty"`
}

// importAPIKeys reads API Gateway's CSV of keys: a header row naming the
// columns (Key or Value, Name, Description, Enabled, UsagePlanIds).
func (s *Service) importAPIKeys(c *awsproto.Call, in *importAPIKeysInput) (apiKeyIDsOut, error) {
	rows, err := csv.NewReader(bytes.NewReader(in.Body)).ReadAll()
	if err != nil || len(rows) < 1 {
		return apiKeyIDsOut{}, ErrBadRequest.New("Invalid API keys CSV specified")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	get := func(row []string, names ...string) string {
		for _, n := range names {
			if i, ok := col[n]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
		}
		return ""
	}
	if _, ok := col["key"]; !ok {
		if _, ok := col["value"]; !ok {
			return apiKeyIDsOut{}, ErrBadRequest.New("Invalid API keys CSV: a Key column is required")
		}
	}
	out := apiKeyIDsOut{IDs: []string{}}
	for _, row := range rows[1:] {
		k, err := s.store.CreateAPIKey(c.Region, NewAPIKey{
			Name: get(row, "name"), Description: get(row, "description"), Value: get(row, "key", "value"),
			Enabled: !strings.EqualFold(get(row, "enabled"), "false"),
		})
		if err != nil {
			if in.FailOnWarnings == "true" {
				return apiKeyIDsOut{}, err
			}
			out.Warnings = append(out.Warnings, err.Error())
			continue
		}
		out.IDs = append(out.IDs, k.ID)
		for _, plan := range strings.Split(get(row, "usageplanids", "usageplanid"), ";") {
			if plan = strings.TrimSpace(plan); plan != "" {
				if _, err := s.store.AddPlanKey(plan, k.ID, "API_KEY"); err != nil {
					out.Warnings = append(out.Warnings, err.Error())
				}
			}
		}
	}
	return out, nil
}
