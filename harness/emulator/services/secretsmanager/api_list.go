package secretsmanager

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- ListSecrets ----

// filterParam is one of ListSecrets' Filters. Its Key's enum is listed in
// the order AWS's message lists it, not the model's.
type filterParam struct {
	Key    *string  `json:"Key" enum:"all,name,tag-key,description,tag-value,primary-region,owning-service"`
	Values []string `json:"Values" min:"1" max:"10"`
}

type listSecretsInput struct {
	Filters                []filterParam `json:"Filters" max:"10"`
	IncludePlannedDeletion bool          `json:"IncludePlannedDeletion"`
	MaxResults             *int          `json:"MaxResults" min:"1" max:"100"`
	NextToken              *string       `json:"NextToken" min:"1" max:"4096"`
	SortBy                 *string       `json:"SortBy" enum:"created-date,last-accessed-date,last-changed-date,name"`
	SortOrder              *string       `json:"SortOrder" enum:"asc,desc"`
}

// filterValuePattern is the model's pattern of a filter value.
const filterValuePattern = `^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$`

// Validate checks what the service checks itself (a filter needs a key and
// values) and each filter value, which a tag cannot reach.
func (in *listSecretsInput) Validate() error {
	for i, f := range in.Filters {
		if f.Key == nil {
			return errInvalidParameter.New("Invalid filter key")
		}
		if f.Values == nil {
			return errInvalidParameter.New("Invalid filter values for key: " + *f.Key)
		}
		at := "filters." + strconv.Itoa(i+1) + ".member.values.member"
		for _, v := range f.Values {
			if err := awsproto.CheckLength(errValidation, v, at, 0, 512); err != nil {
				return err
			}
			if !validFilterValue(v) {
				return awsproto.Constraint(errValidation, v, at, awsproto.Pattern(filterValuePattern))
			}
		}
	}
	return nil
}

func validFilterValue(v string) bool {
	v = strings.TrimPrefix(v, "!")
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(" :_@/+=.-!", c) >= 0) {
			return false
		}
	}
	return true
}

type secretListEntry struct {
	secretMeta
	SecretVersionsToStages map[string][]string `json:"SecretVersionsToStages,omitempty"`
	CreatedDate            *epoch              `json:"CreatedDate,omitempty"`
}

type listSecretsOutput struct {
	SecretList []secretListEntry `json:"SecretList"`
	NextToken  string            `json:"NextToken,omitempty"`
}

// page sets what ListSecrets and BatchGetSecretValue share of a query: the
// page size when given, the filters and the cursor of a NextToken.
func (q *ListQuery) page(max *int, filters []filterParam, token *string) error {
	if max != nil {
		q.Max = *max
	}
	for _, f := range filters {
		q.Filters = append(q.Filters, Filter{Key: *f.Key, Values: f.Values})
	}
	if token != nil {
		cur, ok := decodeCursor(*token)
		if !ok {
			return errInvalidNextToken.New(msgBadNextToken)
		}
		q.After = &cur
	}
	return nil
}

func (s *Service) listSecrets(c *awsproto.Call, in *listSecretsInput) (listSecretsOutput, error) {
	q := ListQuery{IncludeDeleted: in.IncludePlannedDeletion, Max: 100, SortBy: deref(in.SortBy),
		Descending: deref(in.SortOrder) == "desc"}
	if err := q.page(in.MaxResults, in.Filters, in.NextToken); err != nil {
		return listSecretsOutput{}, err
	}
	list, next := s.store.List(c.Region, q, s.env.Now())
	out := listSecretsOutput{SecretList: make([]secretListEntry, len(list))}
	for i, d := range list {
		out.SecretList[i] = secretListEntry{metaOf(d, c.Region), stagesMap(d.Versions), epochOrNil(d.Created)}
	}
	if next != nil {
		out.NextToken = encodeCursor(*next)
	}
	return out, nil
}

// A NextToken is the opaque form of the last listed secret's sort key.
func encodeCursor(c ListCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Key, 10) + "|" + c.Name))
}

func decodeCursor(tok string) (ListCursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return ListCursor{}, false
	}
	k, name, ok := strings.Cut(string(raw), "|")
	if !ok {
		return ListCursor{}, false
	}
	n, err := strconv.ParseInt(k, 10, 64)
	if err != nil {
		return ListCursor{}, false
	}
	return ListCursor{Key: n, Name: name}, true
}

// ---- ListSecretVersionIds ----

type listVersionsInput struct {
	SecretId          *string `json:"SecretId" required:"true" min:"1" max:"2048"`
	IncludeDeprecated bool    `json:"IncludeDeprecated"`
	MaxResults        *int    `json:"MaxResults" min:"1" max:"100"`
	NextToken         *string `json:"NextToken" min:"1" max:"4096"`
}

type versionEntry struct {
	VersionID        string   `json:"VersionId"`
	VersionStages    []string `json:"VersionStages,omitempty"`
	LastAccessedDate *epoch   `json:"LastAccessedDate,omitempty"`
	CreatedDate      *epoch   `json:"CreatedDate,omitempty"`
}

type listVersionsOutput struct {
	ARN       string         `json:"ARN"`
	Name      string         `json:"Name"`
	Versions  []versionEntry `json:"Versions"`
	NextToken string         `json:"NextToken,omitempty"`
}

func (s *Service) listSecretVersionIDs(c *awsproto.Call, in *listVersionsInput) (listVersionsOutput, error) {
	max := 100
	if in.MaxResults != nil {
		max = *in.MaxResults
	}
	d, err := s.store.ListVersions(c.Region, *in.SecretId, in.IncludeDeprecated, s.env.Now())
	if err != nil {
		return listVersionsOutput{}, err
	}
	start := 0
	if in.NextToken != nil {
		cur, ok := decodeCursor(*in.NextToken)
		if !ok || cur.Key < 0 || int(cur.Key) > len(d.Versions) {
			return listVersionsOutput{}, errInvalidNextToken.New(msgBadNextToken)
		}
		start = int(cur.Key)
	}
	vs := d.Versions[start:]
	out := listVersionsOutput{ARN: d.ARN, Name: d.Name, Versions: []versionEntry{}}
	if len(vs) > max {
		vs = vs[:max]
		out.NextToken = encodeCursor(ListCursor{Key: int64(start + max)})
	}
	for _, v := range vs {
		out.Versions = append(out.Versions, versionEntry{VersionID: v.ID, VersionStages: v.Stages,
			LastAccessedDate: epochOrNil(v.LastAccessed), CreatedDate: epochOrNil(v.Created)})
	}
	return out, nil
}
