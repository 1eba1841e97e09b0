package secretsmanager

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- BatchGetSecretValue ----

type batchGetInput struct {
	SecretIdList []string      `json:"SecretIdList" min:"1" max:"20"`
	Filters      []filterParam `json:"Filters" max:"10"`
	MaxResults   *int          `json:"MaxResults" min:"1" max:"20"`
	NextToken    *string       `json:"NextToken" min:"1" max:"4096"`
}

// Validate checks each secret id (1 to 2048 characters), the filters as
// ListSecrets does, and the combinations AWS refuses.
func (in *batchGetInput) Validate() error {
	for _, id := range in.SecretIdList {
		if err := awsproto.CheckLength(errValidation, id, "secretIdList.member", 1, 2048); err != nil {
			return err
		}
	}
	if err := (&listSecretsInput{Filters: in.Filters}).Validate(); err != nil {
		return err
	}
	if (in.SecretIdList == nil) == (in.Filters == nil) {
		return errInvalidParameter.New("Either 'SecretIdList' or 'Filters' must be provided, but not both.")
	}
	if in.MaxResults != nil && in.Filters == nil {
		return errInvalidParameter.New("'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.")
	}
	return nil
}

type secretValueEntry struct {
	ARN           string   `json:"ARN"`
	Name          string   `json:"Name"`
	VersionID     string   `json:"VersionId"`
	SecretBinary  []byte   `json:"SecretBinary,omitempty"`
	SecretString  *string  `json:"SecretString,omitempty"`
	VersionStages []string `json:"VersionStages"`
	CreatedDate   *epoch   `json:"CreatedDate,omitempty"`
}

type apiErrorEntry struct {
	SecretId  string `json:"SecretId"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

type batchGetOutput struct {
	SecretValues []secretValueEntry `json:"SecretValues"`
	NextToken    string             `json:"NextToken,omitempty"`
	Errors       []apiErrorEntry    `json:"Errors"`
}

func entryOf(v SecretValue) secretValueEntry {
	e := secretValueEntry{ARN: v.ARN, Name: v.Name, VersionID: v.VersionID, VersionStages: v.Stages, CreatedDate: epochOrNil(v.Created)}
	if v.Value.IsBinary {
		e.SecretBinary = v.Value.Binary
	} else {
		str := v.Value.String
		e.SecretString = &str
	}
	return e
}

// batchGetSecretValue reads AWSCURRENT of each listed secret (a secret that
// cannot be read is an entry of Errors, not a failed call), or of each
// secret the filters match, a page at a time.
func (s *Service) batchGetSecretValue(c *awsproto.Call, in *batchGetInput) (batchGetOutput, error) {
	now := s.env.Now()
	out := batchGetOutput{SecretValues: []secretValueEntry{}, Errors: []apiErrorEntry{}}
	read := func(id string) error {
		v, err := s.store.GetValue(c.Region, id, "", "", now)
		if err != nil {
			ae, ok := awsproto.AsError(err)
			if !ok {
				return err
			}
			out.Errors = append(out.Errors, apiErrorEntry{SecretId: id, ErrorCode: ae.Code, Message: ae.Message})
			return nil
		}
		out.SecretValues = append(out.SecretValues, entryOf(v))
		return nil
	}
	if in.SecretIdList != nil {
		for _, id := range in.SecretIdList {
			if err := read(id); err != nil {
				return batchGetOutput{}, err
			}
		}
		return out, nil
	}
	q := ListQuery{Max: 20}
	if err := q.page(in.MaxResults, in.Filters, in.NextToken); err != nil {
		return batchGetOutput{}, err
	}
	list, next := s.store.List(c.Region, q, now)
	for _, d := range list {
		if err := read(d.ARN); err != nil {
			return batchGetOutput{}, err
		}
	}
	if next != nil {
		out.NextToken = encodeCursor(*next)
	}
	return out, nil
}
