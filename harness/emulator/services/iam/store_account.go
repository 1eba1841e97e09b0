package iam

import (
	"sort"
	"strings"
)

// ---- account alias ----

// SetAccountAlias gives the account its alias (an account has at most
// one: a new one replaces it).
func (s *Store) SetAccountAlias(alias string) {
	s.mu.Lock()
	s.alias = alias
	s.mu.Unlock()
}

// AccountAliases lists the account's alias, if any.
func (s *Store) AccountAliases() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.alias == "" {
		return []string{}
	}
	return []string{s.alias}
}

// DeleteAccountAlias removes the account's alias.
func (s *Store) DeleteAccountAlias(alias string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alias != alias {
		return errNoSuchEntity.New("The account alias " + alias + " cannot be found.")
	}
	s.alias = ""
	return nil
}

// ---- account summary ----

// accountQuotas are IAM's default quotas as GetAccountSummary reports them.
var accountQuotas = map[string]int{
	"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "InstanceProfilesQuota": 1000,
	"ServerCertificatesQuota": 20, "UserPolicySizeQuota": maxInlineUserSize, "GroupPolicySizeQuota": maxInlineGroupSize,
	"RolePolicySizeQuota": maxInlineRoleSize, "GroupsPerUserQuota": maxGroupsPerUser, "SigningCertificatesPerUserQuota": 2,
	"AccessKeysPerUserQuota": maxKeysPerUser, "AttachedPoliciesPerGroupQuota": maxAttachedPerGroup,
	"AttachedPoliciesPerRoleQuota": maxAttachedPerRole, "AttachedPoliciesPerUserQuota": maxAttachedPerUser,
	"PolicySizeQuota": maxManagedPolicySize, "PolicyVersionsInUseQuota": 10000, "VersionsPerPolicyQuota": maxPolicyVersions,
	"AssumeRolePolicySizeQuota": 2048,
}

// SummaryEntry is one line of GetAccountSummary.
type SummaryEntry struct {
	Key   string
	Value int
}

// AccountSummary counts the account's IAM entities next to their quotas,
// sorted by key.
func (s *Store) AccountSummary() []SummaryEntry {
	s.mu.RLock()
	counts := map[string]int{
		"Users": len(s.users), "Groups": len(s.groups), "Roles": len(s.roles), "InstanceProfiles": len(s.profiles),
		"ServerCertificates": len(s.serverCerts), "MFADevices": len(s.mfa), "MFADevicesInUse": s.mfaInUse(), "AccountMFAEnabled": 0,
		"AccountAccessKeysPresent": 0, "AccountPasswordPresent": 0, "AccountSigningCertificatesPresent": 0, "Providers": len(s.oidc) + len(s.saml),
		"GlobalEndpointTokenVersion": map[string]int{"v1Token": 1, "v2Token": 2}[s.tokenVersion],
	}
	for _, p := range s.policies {
		if !p.AWSManaged {
			counts["Policies"]++
			counts["PolicyVersionsInUse"] += p.Attachments
		}
	}
	s.mu.RUnlock()
	out := make([]SummaryEntry, 0, len(counts)+len(accountQuotas))
	for k, v := range counts {
		out = append(out, SummaryEntry{k, v})
	}
	for k, v := range accountQuotas {
		out = append(out, SummaryEntry{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// ---- service-linked roles ----

// serviceLinkedPath is where service-linked roles live.
const serviceLinkedPath = "/aws-service-role/"

// slrNames are the role names of well-known services' service-linked
// roles, after AWSServiceRoleFor; others take their service's first label.
var slrNames = map[string]string{
	"autoscaling.amazonaws.com": "AutoScaling", "ecs.amazonaws.com": "ECS", "rds.amazonaws.com": "RDS",
	"elasticloadbalancing.amazonaws.com": "ElasticLoadBalancing", "elasticbeanstalk.amazonaws.com": "ElasticBeanstalk",
	"dynamodb.application-autoscaling.amazonaws.com": "ApplicationAutoScaling_DynamoDBTable",
	"ecs.application-autoscaling.amazonaws.com":      "ApplicationAutoScaling_ECSService",
	"eks.amazonaws.com":                              "AmazonEKS", "eks-nodegroup.amazonaws.com": "AmazonEKSNodegroup",
	"es.amazonaws.com": "AmazonElasticsearchService", "opensearchservice.amazonaws.com": "AmazonOpenSearchService",
	"organizations.amazonaws.com": "Organizations", "spot.amazonaws.com": "EC2Spot", "support.amazonaws.com": "Support",
	"trustedadvisor.amazonaws.com": "TrustedAdvisor", "cloudtrail.amazonaws.com": "CloudTrail",
	"config.amazonaws.com": "Config", "guardduty.amazonaws.com": "AmazonGuardDuty", "sso.amazonaws.com": "SSO",
	"replicator.lambda.amazonaws.com": "LambdaReplicator", "apigateway.amazonaws.com": "APIGateway",
	"elasticache.amazonaws.com": "ElastiCache", "kafka.amazonaws.com": "Kafka", "ssm.amazonaws.com": "AmazonSSM",
}

// ServiceLinkedRoleName is the name AWS gives a service's service-linked
// role, with the custom suffix when there is one.
func ServiceLinkedRoleName(service, suffix string) string {
	name, ok := slrNames[service]
	if !ok {
		first, _, _ := strings.Cut(service, ".")
		name = strings.ToUpper(first[:1]) + first[1:]
	}
	name = "AWSServiceRoleFor" + name
	if suffix != "" {
		name += "_" + suffix
	}
	return name
}

// DeleteServiceLinkedRole deletes a service-linked role at once (AWS does
// it as a task, which here has always succeeded by the time it is asked
// about) and returns its deletion task ID.
func (s *Store) DeleteServiceLinkedRole(name, taskID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.roles[key(name)]
	if r == nil {
		return "", noRole(name)
	}
	if !strings.HasPrefix(r.Path, serviceLinkedPath) {
		return "", errInvalidInput.New("Role " + r.Name + " is not a service-linked role.")
	}
	id := "task" + r.Path + r.Name + "/" + taskID
	for _, arn := range r.attached {
		if p := s.policies[arn]; p != nil {
			p.Attachments--
		}
	}
	for _, p := range s.profiles {
		p.roles = removeKey(p.roles, key(name))
	}
	delete(s.roles, key(name))
	s.deletionTasks[id] = true
	return id, nil
}

func removeKey(keys []string, k string) []string {
	out := keys[:0]
	for _, x := range keys {
		if x != k {
			out = append(out, x)
		}
	}
	return out
}

// DeletionTaskDone reports whether a deletion task exists (it has then
// succeeded).
func (s *Store) DeletionTaskDone(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.deletionTasks[id]
}

func (s *Store) mfaInUse() int {
	n := 0
	for _, d := range s.mfa {
		if d.User != "" {
			n++
		}
	}
	return n
}
