package ec2

import (
	"net/netip"
	"slices"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- wire shapes ----

type ipRangeXML struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ipv6RangeXML struct {
	CidrIpv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type prefixListXML struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type groupPairXML struct {
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	Description string `xml:"description,omitempty"`
}

type ipPermissionXML struct {
	IPProtocol    string          `xml:"ipProtocol"`
	FromPort      *int            `xml:"fromPort,omitempty"`
	ToPort        *int            `xml:"toPort,omitempty"`
	Groups        []groupPairXML  `xml:"groups>item"`
	IPRanges      []ipRangeXML    `xml:"ipRanges>item"`
	Ipv6Ranges    []ipv6RangeXML  `xml:"ipv6Ranges>item"`
	PrefixListIDs []prefixListXML `xml:"prefixListIds>item"`
}

type securityGroupXML struct {
	OwnerID             string            `xml:"ownerId"`
	GroupID             string            `xml:"groupId"`
	GroupName           string            `xml:"groupName"`
	GroupDescription    string            `xml:"groupDescription"`
	VpcID               string            `xml:"vpcId"`
	SecurityGroupArn    string            `xml:"securityGroupArn"`
	IPPermissions       []ipPermissionXML `xml:"ipPermissions>item"`
	IPPermissionsEgress []ipPermissionXML `xml:"ipPermissionsEgress>item"`
	TagSet              []tagXML          `xml:"tagSet>item"`
}

func groupARN(region, account, id string) string {
	return "arn:aws:ec2:" + region + ":" + account + ":security-group/" + id
}

// permissionsOut groups a group's rules of one direction by protocol and
// ports, as EC2 shows them.
func (s *Service) permissionsOut(rules []*Rule, egress bool) []ipPermissionXML {
	var out []ipPermissionXML
	index := map[string]int{}
	for _, r := range rules {
		if r.Egress != egress {
			continue
		}
		key := r.Protocol + "|" + strconv.Itoa(r.From) + "|" + strconv.Itoa(r.To)
		i, ok := index[key]
		if !ok {
			p := ipPermissionXML{IPProtocol: r.Protocol}
			if r.Protocol != "-1" {
				from, to := r.From, r.To
				p.FromPort, p.ToPort = &from, &to
			}
			out = append(out, p)
			i = len(out) - 1
			index[key] = i
		}
		p := &out[i]
		switch {
		case r.CidrIPv4 != "":
			p.IPRanges = append(p.IPRanges, ipRangeXML{r.CidrIPv4, r.Description})
		case r.CidrIPv6 != "":
			p.Ipv6Ranges = append(p.Ipv6Ranges, ipv6RangeXML{r.CidrIPv6, r.Description})
		case r.PrefixListID != "":
			p.PrefixListIDs = append(p.PrefixListIDs, prefixListXML{r.PrefixListID, r.Description})
		case r.PeerGroup != "":
			p.Groups = append(p.Groups, groupPairXML{s.env.Account, r.PeerGroup, r.Description})
		}
	}
	return out
}

func (s *Service) groupOut(region string, g SecurityGroup) securityGroupXML {
	return securityGroupXML{OwnerID: s.env.Account, GroupID: g.ID, GroupName: g.Name, GroupDescription: g.Description,
		VpcID: g.VpcID, SecurityGroupArn: groupARN(region, s.env.Account, g.ID),
		IPPermissions: s.permissionsOut(g.Rules, false), IPPermissionsEgress: s.permissionsOut(g.Rules, true),
		TagSet: tagsOut(g.Tags)}
}

type referencedGroupXML struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

type ruleXML struct {
	SecurityGroupRuleID  string              `xml:"securityGroupRuleId"`
	GroupID              string              `xml:"groupId"`
	GroupOwnerID         string              `xml:"groupOwnerId"`
	IsEgress             bool                `xml:"isEgress"`
	IPProtocol           string              `xml:"ipProtocol"`
	FromPort             int                 `xml:"fromPort"`
	ToPort               int                 `xml:"toPort"`
	CidrIpv4             string              `xml:"cidrIpv4,omitempty"`
	CidrIpv6             string              `xml:"cidrIpv6,omitempty"`
	PrefixListID         string              `xml:"prefixListId,omitempty"`
	ReferencedGroupInfo  *referencedGroupXML `xml:"referencedGroupInfo,omitempty"`
	Description          string              `xml:"description,omitempty"`
	SecurityGroupRuleArn string              `xml:"securityGroupRuleArn"`
	TagSet               []tagXML            `xml:"tagSet>item"`
}

func (s *Service) ruleOut(region string, r Rule) ruleXML {
	x := ruleXML{SecurityGroupRuleID: r.ID, GroupID: r.GroupID, GroupOwnerID: s.env.Account, IsEgress: r.Egress,
		IPProtocol: r.Protocol, FromPort: r.From, ToPort: r.To, CidrIpv4: r.CidrIPv4, CidrIpv6: r.CidrIPv6,
		PrefixListID: r.PrefixListID, Description: r.Description,
		SecurityGroupRuleArn: "arn:aws:ec2:" + region + ":" + s.env.Account + ":security-group-rule/" + r.ID,
		TagSet:               tagsOut(r.Tags)}
	if r.PeerGroup != "" {
		x.ReferencedGroupInfo = &referencedGroupXML{r.PeerGroup, s.env.Account}
	}
	return x
}

// ---- CreateSecurityGroup ----

type createSecurityGroupInput struct {
	Request
	Description       string `query:"GroupDescription" required:"true"`
	GroupName         string `required:"true"`
	VpcId             string
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

func (in *createSecurityGroupInput) Validate() error {
	switch {
	case in.GroupName == "":
		return errInvalidParameter.New("Value () for parameter groupName is invalid. The value cannot be empty")
	case in.Description == "":
		return errInvalidParameter.New("Value () for parameter groupDescription is invalid. The value cannot be empty")
	case len(in.GroupName) > 255:
		return errInvalidParameter.Errorf("Value (%s) for parameter groupName is invalid. Value exceeds the maximum length of 255 characters.", in.GroupName)
	case len(in.Description) > 255:
		return errInvalidParameter.Errorf("Value (%s) for parameter GroupDescription is invalid. Value exceeds the maximum length of 255 characters.", in.Description)
	}
	return nil
}

type createSecurityGroupResult struct {
	GroupID          string   `xml:"groupId"`
	TagSet           []tagXML `xml:"tagSet>item"`
	SecurityGroupArn string   `xml:"securityGroupArn"`
}

func (s *Service) createSecurityGroup(c *awsproto.Call, in *createSecurityGroupInput) (createSecurityGroupResult, error) {
	tags, err := tagSpecs(in.TagSpecifications, "security-group")
	if err != nil {
		return createSecurityGroupResult{}, err
	}
	g, err := s.store.CreateSecurityGroup(c.Region, in.GroupName, in.Description, in.VpcId, tags)
	if err != nil {
		return createSecurityGroupResult{}, err
	}
	return createSecurityGroupResult{g.ID, tagsOut(g.Tags), groupARN(c.Region, s.env.Account, g.ID)}, nil
}

// ---- DescribeSecurityGroups ----

type describeSecurityGroupsInput struct {
	Request
	GroupIds   []string `query:"GroupId"`
	GroupNames []string `query:"GroupName"`
	Filters    []Filter `query:"Filter"`
	NextToken  string
	MaxResults *string
}

type describeSecurityGroupsResult struct {
	SecurityGroupInfo []securityGroupXML `xml:"securityGroupInfo>item"`
	NextToken         string             `xml:"nextToken,omitempty"`
}

func (s *Service) describeSecurityGroups(c *awsproto.Call, in *describeSecurityGroupsInput) (describeSecurityGroupsResult, error) {
	for _, id := range in.GroupIds {
		if !validGroupID(id) {
			return describeSecurityGroupsResult{}, errGroupIDMalformed.Errorf(`Invalid id: "%s" (expecting "sg-...")`, id)
		}
	}
	q, err := pageQuery("DescribeSecurityGroups", append(in.GroupIds, in.GroupNames...), "groupIds", in.Filters, in.MaxResults, in.NextToken)
	if err != nil {
		return describeSecurityGroupsResult{}, err
	}
	q.IDs = in.GroupIds
	groups, more, err := s.store.DescribeSecurityGroups(c.Region, q, in.GroupNames)
	if err != nil {
		return describeSecurityGroupsResult{}, err
	}
	out := describeSecurityGroupsResult{SecurityGroupInfo: make([]securityGroupXML, len(groups))}
	for i, g := range groups {
		out.SecurityGroupInfo[i] = s.groupOut(c.Region, g)
	}
	if more {
		out.NextToken = nextToken("DescribeSecurityGroups", more, groups[len(groups)-1].ID)
	}
	return out, nil
}

func validGroupID(id string) bool {
	if len(id) < 4 || id[:3] != "sg-" {
		return false
	}
	for _, c := range id[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ---- DeleteSecurityGroup ----

type deleteSecurityGroupInput struct {
	Request
	GroupId   string
	GroupName string
}

func (in *deleteSecurityGroupInput) Validate() error {
	if in.GroupId == "" && in.GroupName == "" {
		return missingParameter("GroupName or GroupId")
	}
	if in.GroupId != "" && !validGroupID(in.GroupId) {
		return errGroupIDMalformed.Errorf(`Invalid id: "%s" (expecting "sg-...")`, in.GroupId)
	}
	return nil
}

type deleteSecurityGroupResult struct {
	Return  bool   `xml:"return"`
	GroupID string `xml:"groupId"`
}

func (s *Service) deleteSecurityGroup(c *awsproto.Call, in *deleteSecurityGroupInput) (deleteSecurityGroupResult, error) {
	id, err := s.store.DeleteSecurityGroup(c.Region, in.GroupId, in.GroupName)
	if err != nil {
		return deleteSecurityGroupResult{}, err
	}
	return deleteSecurityGroupResult{true, id}, nil
}

// ---- rules ----

type ipRange struct {
	CidrIp      string
	Description string
}

type ipv6Range struct {
	CidrIpv6    string
	Description string
}

type prefixListID struct {
	PrefixListId string
	Description  string
}

type groupPair struct {
	GroupId     string
	GroupName   string
	UserId      string
	VpcId       string
	Description string
}

type ipPermission struct {
	IpProtocol       string
	FromPort         *integer
	ToPort           *integer
	UserIdGroupPairs []groupPair    `query:"Groups"`
	IpRanges         []ipRange      `query:"IpRanges"`
	Ipv6Ranges       []ipv6Range    `query:"Ipv6Ranges"`
	PrefixListIds    []prefixListID `query:"PrefixListIds"`
}

func (p *ipPermission) descriptions() []string {
	var out []string
	for _, r := range p.IpRanges {
		out = append(out, r.Description)
	}
	for _, r := range p.Ipv6Ranges {
		out = append(out, r.Description)
	}
	for _, r := range p.PrefixListIds {
		out = append(out, r.Description)
	}
	for _, g := range p.UserIdGroupPairs {
		out = append(out, g.Description)
	}
	return out
}

// RuleMembers are the members (exported: awsproto reads embedded structs
// by exported names) every Authorize/Revoke call takes: the
// permissions, or the one-rule shorthand (CidrIp, IpProtocol, ports, a
// source group by name).
type RuleMembers struct {
	IpPermissions           []ipPermission
	IpProtocol              string
	FromPort                *integer
	ToPort                  *integer
	CidrIp                  string
	SourceSecurityGroupName string
}

// rules expands the request into one Rule per peer; names of groups are
// looked up by resolve.
func (m *RuleMembers) rules(resolve func(name string) (string, error)) ([]*Rule, error) {
	perms := m.IpPermissions
	if m.IpProtocol != "" || m.CidrIp != "" || m.SourceSecurityGroupName != "" || m.FromPort != nil || m.ToPort != nil {
		p := ipPermission{IpProtocol: m.IpProtocol, FromPort: m.FromPort, ToPort: m.ToPort}
		if p.IpProtocol == "" {
			p.IpProtocol = "-1"
		}
		if m.CidrIp != "" {
			p.IpRanges = []ipRange{{CidrIp: m.CidrIp}}
		}
		if m.SourceSecurityGroupName != "" {
			p.UserIdGroupPairs = []groupPair{{GroupName: m.SourceSecurityGroupName}}
		}
		perms = append(perms, p)
	}
	var out []*Rule
	for _, p := range perms {
		if p.IpProtocol == "" {
			return nil, missingParameter("ipPermissions.ipProtocol")
		}
		proto, err := ruleProtocol(p.IpProtocol)
		if err != nil {
			return nil, err
		}
		from, to := -1, -1
		switch proto {
		case "tcp", "udp":
			if p.FromPort == nil || p.ToPort == nil {
				return nil, errInvalidParameter.Errorf("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange")
			}
			from, to = int(*p.FromPort), int(*p.ToPort)
			if from < 0 || from > 65535 || to < 0 || to > 65535 || from > to {
				return nil, errInvalidParameter.Errorf("Invalid value 'Invalid TCP/UDP port range (%d:%d)' for portRange", from, to)
			}
		case "icmp", "icmpv6":
			if p.FromPort != nil {
				from = int(*p.FromPort)
			}
			if p.ToPort != nil {
				to = int(*p.ToPort)
			}
		}
		for _, d := range p.descriptions() {
			if len(d) > 255 {
				return nil, errInvalidParameter.New("Description exceeds the maximum length of 255 characters.")
			}
		}
		base := Rule{Protocol: proto, From: from, To: to}
		n := len(out)
		for _, r := range p.IpRanges {
			pre, err := netip.ParsePrefix(r.CidrIp)
			if err != nil || !pre.Addr().Is4() {
				return nil, errInvalidParameter.Errorf("CIDR block %s is malformed", r.CidrIp)
			}
			x := base
			x.CidrIPv4, x.Description = pre.Masked().String(), r.Description
			out = append(out, &x)
		}
		for _, r := range p.Ipv6Ranges {
			pre, err := netip.ParsePrefix(r.CidrIpv6)
			if err != nil || !pre.Addr().Is6() {
				return nil, errInvalidParameter.Errorf("CIDR block %s is malformed", r.CidrIpv6)
			}
			x := base
			x.CidrIPv6, x.Description = pre.Masked().String(), r.Description
			out = append(out, &x)
		}
		for _, r := range p.PrefixListIds {
			x := base
			x.PrefixListID, x.Description = r.PrefixListId, r.Description
			out = append(out, &x)
		}
		for _, g := range p.UserIdGroupPairs {
			id := g.GroupId
			if id == "" {
				if g.GroupName == "" {
					return nil, errPermissionMalform.New("Either group ID or group name must be specified for a source group")
				}
				if id, err = resolve(g.GroupName); err != nil {
					return nil, err
				}
			}
			x := base
			x.PeerGroup, x.Description = id, g.Description
			out = append(out, &x)
		}
		if len(out) == n {
			return nil, errInvalidParameter.New("The request must specify at least one source or destination for each permission.")
		}
	}
	return out, nil
}

type ruleChangeResult struct {
	Return             bool      `xml:"return"`
	SecurityGroupRules []ruleXML `xml:"securityGroupRuleSet>item"`
}

type authorizeIngressInput struct {
	Request
	RuleMembers
	GroupId           string
	GroupName         string
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

type authorizeEgressInput struct {
	Request
	RuleMembers
	GroupId           string    `required:"true"`
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

func (s *Service) authorize(c *awsproto.Call, id, name string, egress bool, m *RuleMembers, specs []tagSpec) (ruleChangeResult, error) {
	tags, err := tagSpecs(specs, "security-group-rule")
	if err != nil {
		return ruleChangeResult{}, err
	}
	if id == "" && name == "" {
		return ruleChangeResult{}, missingParameter("GroupName or GroupId")
	}
	rules, err := m.rules(func(n string) (string, error) { return s.store.GroupIDByName(c.Region, n) })
	if err != nil {
		return ruleChangeResult{}, err
	}
	if len(rules) == 0 {
		return ruleChangeResult{}, missingParameter("IpPermissions")
	}
	for _, r := range rules {
		r.Tags = slices.Clone(tags) // each rule its own: DeleteTags edits in place
	}
	added, err := s.store.Authorize(c.Region, id, name, egress, rules)
	if err != nil {
		return ruleChangeResult{}, err
	}
	out := ruleChangeResult{Return: true}
	for _, r := range added {
		out.SecurityGroupRules = append(out.SecurityGroupRules, s.ruleOut(c.Region, r))
	}
	return out, nil
}

func (s *Service) authorizeIngress(c *awsproto.Call, in *authorizeIngressInput) (ruleChangeResult, error) {
	return s.authorize(c, in.GroupId, in.GroupName, false, &in.RuleMembers, in.TagSpecifications)
}

func (s *Service) authorizeEgress(c *awsproto.Call, in *authorizeEgressInput) (ruleChangeResult, error) {
	return s.authorize(c, in.GroupId, "", true, &in.RuleMembers, in.TagSpecifications)
}

type revokedRuleXML struct {
	SecurityGroupRuleID string `xml:"securityGroupRuleId"`
	GroupID             string `xml:"groupId"`
	IsEgress            bool   `xml:"isEgress"`
	IPProtocol          string `xml:"ipProtocol"`
	FromPort            int    `xml:"fromPort"`
	ToPort              int    `xml:"toPort"`
	CidrIpv4            string `xml:"cidrIpv4,omitempty"`
	CidrIpv6            string `xml:"cidrIpv6,omitempty"`
	PrefixListID        string `xml:"prefixListId,omitempty"`
	ReferencedGroupID   string `xml:"referencedGroupId,omitempty"`
	Description         string `xml:"description,omitempty"`
}

type revokeResult struct {
	Return                    bool             `xml:"return"`
	RevokedSecurityGroupRules []revokedRuleXML `xml:"revokedSecurityGroupRuleSet>item"`
}

type revokeIngressInput struct {
	Request
	RuleMembers
	GroupId              string
	GroupName            string
	SecurityGroupRuleIds []string `query:"SecurityGroupRuleId"`
}

type revokeEgressInput struct {
	Request
	RuleMembers
	GroupId              string   `required:"true"`
	SecurityGroupRuleIds []string `query:"SecurityGroupRuleId"`
}

func (s *Service) revoke(c *awsproto.Call, id, name string, egress bool, m *RuleMembers, ruleIDs []string) (revokeResult, error) {
	if id == "" && name == "" {
		return revokeResult{}, missingParameter("GroupName or GroupId")
	}
	rules, err := m.rules(func(n string) (string, error) { return s.store.GroupIDByName(c.Region, n) })
	if err != nil {
		return revokeResult{}, err
	}
	if len(rules) == 0 && len(ruleIDs) == 0 {
		return revokeResult{}, missingParameter("IpPermissions")
	}
	gone, err := s.store.Revoke(c.Region, id, name, egress, rules, ruleIDs)
	if err != nil {
		return revokeResult{}, err
	}
	out := revokeResult{Return: true}
	for _, r := range gone {
		out.RevokedSecurityGroupRules = append(out.RevokedSecurityGroupRules, revokedRuleXML{
			SecurityGroupRuleID: r.ID, GroupID: r.GroupID, IsEgress: r.Egress, IPProtocol: r.Protocol,
			FromPort: r.From, ToPort: r.To, CidrIpv4: r.CidrIPv4, CidrIpv6: r.CidrIPv6, PrefixListID: r.PrefixListID,
			ReferencedGroupID: r.PeerGroup, Description: r.Description})
	}
	return out, nil
}

func (s *Service) revokeIngress(c *awsproto.Call, in *revokeIngressInput) (revokeResult, error) {
	return s.revoke(c, in.GroupId, in.GroupName, false, &in.RuleMembers, in.SecurityGroupRuleIds)
}

func (s *Service) revokeEgress(c *awsproto.Call, in *revokeEgressInput) (revokeResult, error) {
	return s.revoke(c, in.GroupId, "", true, &in.RuleMembers, in.SecurityGroupRuleIds)
}

// ---- DescribeSecurityGroupRules ----

type describeSecurityGroupRulesInput struct {
	Request
	Filters              []Filter `query:"Filter"`
	SecurityGroupRuleIds []string `query:"SecurityGroupRuleId"`
	NextToken            string
	MaxResults           *string
}

type describeSecurityGroupRulesResult struct {
	SecurityGroupRuleSet []ruleXML `xml:"securityGroupRuleSet>item"`
	NextToken            string    `xml:"nextToken,omitempty"`
}

func (s *Service) describeSecurityGroupRules(c *awsproto.Call, in *describeSecurityGroupRulesInput) (describeSecurityGroupRulesResult, error) {
	q, err := pageQuery("DescribeSecurityGroupRules", in.SecurityGroupRuleIds, "SecurityGroupRuleIds", in.Filters, in.MaxResults, in.NextToken)
	if err != nil {
		return describeSecurityGroupRulesResult{}, err
	}
	rules, more, err := s.store.DescribeSecurityGroupRules(c.Region, q)
	if err != nil {
		return describeSecurityGroupRulesResult{}, err
	}
	out := describeSecurityGroupRulesResult{SecurityGroupRuleSet: make([]ruleXML, len(rules))}
	for i, r := range rules {
		out.SecurityGroupRuleSet[i] = s.ruleOut(c.Region, r)
	}
	if more {
		out.NextToken = nextToken("DescribeSecurityGroupRules", more, rules[len(rules)-1].ID)
	}
	return out, nil
}
