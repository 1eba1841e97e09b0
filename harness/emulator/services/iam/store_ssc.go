package iam

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"
)

// ServiceCredential is a user's service-specific credential (CodeCommit's
// Git over HTTPS, Keyspaces' Cassandra login).
type ServiceCredential struct {
	ID, UserName, Service, ServiceUserName, Status string
	Password                                       string
	Created, Expires                               time.Time // Expires zero: never
}

// serviceCredentialServices are the services that take them.
var serviceCredentialServices = map[string]bool{"codecommit.amazonaws.com": true, "cassandra.amazonaws.com": true}

// maxServiceCredentials is how many credentials a user may have per service.
const maxServiceCredentials = 2

func newServicePassword() string {
	var b [33]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func noServiceCredential(id string) error {
	return errNoSuchEntity.New("No such credential " + id + " exists")
}

// CreateServiceCredential gives a user a credential for a service.
func (s *Store) CreateServiceCredential(userName, service, id string, ageDays int, now time.Time) (ServiceCredential, error) {
	if !serviceCredentialServices[service] {
		return ServiceCredential{}, errNotSupportedService.New("Service " + service + " is not supported for service-specific credentials.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(userName)]
	if u == nil {
		return ServiceCredential{}, noUser(userName)
	}
	n := 0
	for _, c := range u.serviceCreds {
		if c.Service == service {
			n++
		}
	}
	if n >= maxServiceCredentials {
		return ServiceCredential{}, errLimitExceeded.New("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
	}
	c := &ServiceCredential{ID: id, UserName: u.Name, Service: service, ServiceUserName: u.Name + "-at-" + s.account,
		Status: "Active", Password: newServicePassword(), Created: now}
	if ageDays > 0 {
		c.Expires = now.AddDate(0, 0, ageDays)
	}
	u.serviceCreds = append(u.serviceCreds, c)
	return *c, nil
}

// ServiceCredentials lists credentials: of one user, or of every user
// when userName is "", optionally of one service.
func (s *Store) ServiceCredentials(userName, service string) ([]ServiceCredential, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var users []*user
	if userName != "" {
		u := s.users[key(userName)]
		if u == nil {
			return nil, noUser(userName)
		}
		users = []*user{u}
	} else {
		for _, u := range s.users {
			users = append(users, u)
		}
	}
	var out []ServiceCredential
	for _, u := range users {
		for _, c := range u.serviceCreds {
			if service == "" || c.Service == service {
				x := *c
				x.UserName = u.Name
				out = append(out, x)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i].UserName) < key(out[j].UserName) })
	return out, nil
}

// UpdateServiceCredential changes a credential under the lock.
func (s *Store) UpdateServiceCredential(userName, id string, f func(*ServiceCredential)) (ServiceCredential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, i, err := s.serviceCred(userName, id)
	if err != nil {
		return ServiceCredential{}, err
	}
	f(u.serviceCreds[i])
	return *u.serviceCreds[i], nil
}

// DeleteServiceCredential removes a credential.
func (s *Store) DeleteServiceCredential(userName, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, i, err := s.serviceCred(userName, id)
	if err == nil {
		u.serviceCreds = slices.Delete(u.serviceCreds, i, i+1)
	}
	return err
}

func (s *Store) serviceCred(userName, id string) (*user, int, error) {
	for _, u := range s.users {
		if userName != "" && key(u.Name) != key(userName) {
			continue
		}
		if i := slices.IndexFunc(u.serviceCreds, func(c *ServiceCredential) bool { return c.ID == id }); i >= 0 {
			return u, i, nil
		}
	}
	if userName != "" && s.users[key(userName)] == nil {
		return nil, 0, noUser(userName)
	}
	return nil, 0, noServiceCredential(id)
}

// ---- context keys ----

// ContextKeys lists the condition keys policy documents use, each once
// (compared without case, as IAM does), sorted.
func ContextKeys(docs []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, doc := range docs {
		var p struct {
			Statement json.RawMessage
		}
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return nil, errInvalidInput.New("Invalid policy document: the policy contains invalid JSON.")
		}
		var statements []struct {
			Condition map[string]map[string]json.RawMessage
		}
		if len(p.Statement) > 0 && p.Statement[0] == '{' {
			p.Statement = append(append([]byte{'['}, p.Statement...), ']')
		}
		if len(p.Statement) > 0 {
			if err := json.Unmarshal(p.Statement, &statements); err != nil {
				return nil, errInvalidInput.New("Invalid policy document: the policy contains invalid JSON.")
			}
		}
		for _, st := range statements {
			for _, keys := range st.Condition {
				for k := range keys {
					if !seen[strings.ToLower(k)] {
						seen[strings.ToLower(k)] = true
						out = append(out, k)
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out, nil
}

// PrincipalDocuments returns the documents of every policy that applies
// to a user (with its groups'), group or role, by ARN.
func (s *Store) PrincipalDocuments(arn string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var holders []*holder
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	switch {
	case strings.Contains(arn, ":user/"):
		u := s.users[key(name)]
		if u == nil || u.ARN != arn {
			return nil, errNoSuchEntity.New("The user with name " + name + " cannot be found.")
		}
		holders = append(holders, &u.holder)
		for _, g := range u.groups {
			holders = append(holders, &g.holder)
		}
	case strings.Contains(arn, ":group/"):
		g := s.groups[key(name)]
		if g == nil || g.ARN != arn {
			return nil, errNoSuchEntity.New("The group with name " + name + " cannot be found.")
		}
		holders = append(holders, &g.holder)
	case strings.Contains(arn, ":role/"):
		r := s.roles[key(name)]
		if r == nil || r.ARN != arn {
			return nil, noRole(name)
		}
		holders = append(holders, &holder{inline: r.inline, attached: r.attached})
	default:
		return nil, errInvalidInput.New("Invalid ARN " + arn + ".")
	}
	var docs []string
	for _, h := range holders {
		for _, d := range h.inline {
			docs = append(docs, d)
		}
		for _, a := range h.attached {
			if p := s.policies[a]; p != nil {
				for _, v := range p.versions {
					if v.IsDefault {
						docs = append(docs, v.Document)
					}
				}
			}
		}
	}
	return docs, nil
}
