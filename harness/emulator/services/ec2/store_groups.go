package ec2

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

func cloneGroup(g *SecurityGroup) SecurityGroup {
	out := *g
	out.Tags = slices.Clone(g.Tags)
	out.Rules = make([]*Rule, len(g.Rules))
	for i, r := range g.Rules {
		c := *r
		c.Tags = slices.Clone(r.Tags)
		out.Rules[i] = &c
	}
	return out
}

// CreateSecurityGroup creates a group in a VPC (the default VPC when vpcID
// is ""), with the rule that lets everything out.
func (s *Store) CreateSecurityGroup(regionName, name, description, vpcID string, tags []Tag) (SecurityGroup, error) {
	if strings.HasPrefix(name, "sg-") {
		return SecurityGroup{}, errInvalidParameter.New("Group names may not be in the format sg-*.")
	}
	if name == "default" {
		return SecurityGroup{}, errGroupReserved.New("The security group 'default' is reserved")
	}
	if err := validNewTags(tags); err != nil {
		return SecurityGroup{}, err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	if vpcID == "" {
		vpcID, _, _ = defaultVPC(r.name)
	}
	if _, err := n.vpc(vpcID); err != nil {
		return SecurityGroup{}, err
	}
	for _, g := range n.groups {
		if g.VpcID == vpcID && g.Name == name {
			return SecurityGroup{}, errGroupDuplicate.Errorf("The security group '%s' already exists for VPC '%s'", name, vpcID)
		}
	}
	if len(n.groups) >= maxGroups {
		return SecurityGroup{}, errGroupLimit.New("The maximum number of security groups has been reached.")
	}
	g := &SecurityGroup{ID: s.newID("sg-"), Name: name, Description: description, VpcID: vpcID, Tags: slices.Clone(tags)}
	g.Rules = []*Rule{{ID: s.newID("sgr-"), GroupID: g.ID, Egress: true, Protocol: "-1", From: -1, To: -1, CidrIPv4: "0.0.0.0/0"}}
	n.groups[g.ID] = g
	return cloneGroup(g), nil
}

// group finds a group by ID, or by name in the default VPC; r.mu held.
func (r *region) group(n *network, id, name string) (*SecurityGroup, error) {
	if id != "" {
		if g := n.groups[id]; g != nil {
			return g, nil
		}
		return nil, errGroupNotFound.Errorf("The security group '%s' does not exist", id)
	}
	vpcID, _, _ := defaultVPC(r.name)
	for _, g := range n.groups {
		if g.Name == name && g.VpcID == vpcID {
			return g, nil
		}
	}
	return nil, errGroupNotFound.Errorf("The security group '%s' does not exist in default VPC '%s'", name, vpcID)
}

// DeleteSecurityGroup deletes a group that is not a VPC's default one and
// that no other group's rules refer to.
func (s *Store) DeleteSecurityGroup(regionName, id, name string) (string, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	g, err := r.group(n, id, name)
	if err != nil {
		return "", err
	}
	if g.Name == "default" {
		return "", errCannotDelete.Errorf("the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.ID)
	}
	for _, o := range n.groups {
		if o == g {
			continue
		}
		for _, rule := range o.Rules {
			if rule.PeerGroup == g.ID {
				return "", errDependency.Errorf("resource %s has a dependent object", g.ID)
			}
		}
	}
	for _, in := range r.order {
		if in.State != StateTerminated && slices.ContainsFunc(in.Groups, func(ref GroupRef) bool { return ref.ID == g.ID }) {
			return "", errDependency.Errorf("resource %s has a dependent object", g.ID)
		}
	}
	delete(n.groups, g.ID)
	return g.ID, nil
}

var groupFilters = map[string]bool{"group-id": true, "group-name": true, "vpc-id": true, "description": true, "owner-id": true}

// DescribeSecurityGroups returns a page of groups ordered by ID; names
// are looked up in the default VPC.
func (s *Store) DescribeSecurityGroups(regionName string, q Page, names []string) ([]SecurityGroup, bool, error) {
	if bad, ok := checkFilters(q.Filters, groupFilters, true); !ok {
		return nil, false, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	if missing := missingIDs(q.IDs, func(id string) bool { return n.groups[id] != nil }); len(missing) > 0 {
		return nil, false, errGroupNotFound.Errorf("The security group '%s' does not exist", strings.Join(missing, "', '"))
	}
	byName := map[string]bool{}
	for _, name := range names {
		g, err := r.group(n, "", name)
		if err != nil {
			return nil, false, err
		}
		byName[g.ID] = true
	}
	ids, more := pageOf(sortedKeys(n.groups), q, func(id string) bool {
		g := n.groups[id]
		if len(names) > 0 && !byName[id] {
			return false
		}
		fields := func(name string) []string {
			switch name {
			case "group-id":
				return []string{g.ID}
			case "group-name":
				return []string{g.Name}
			case "vpc-id":
				return []string{g.VpcID}
			case "description":
				return []string{g.Description}
			case "owner-id":
				return []string{s.env.Account}
			}
			return nil
		}
		return matchFilters(q.Filters, fields, g.Tags)
	})
	out := make([]SecurityGroup, len(ids))
	for i, id := range ids {
		out[i] = cloneGroup(n.groups[id])
	}
	return out, more, nil
}

// ruleText is how EC2 quotes a rule in InvalidPermission.Duplicate.
func ruleText(r *Rule) string {
	peer := r.CidrIPv4
	switch {
	case r.CidrIPv6 != "":
		peer = r.CidrIPv6
	case r.PrefixListID != "":
		peer = r.PrefixListID
	case r.PeerGroup != "":
		peer = r.PeerGroup
	}
	proto := strings.ToUpper(r.Protocol)
	if r.Protocol == "-1" {
		proto = "ALL"
	}
	if r.From == -1 {
		return fmt.Sprintf("peer: %s, %s, ALLOW", peer, proto)
	}
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", peer, proto, r.From, r.To)
}

// Authorize adds rules to a group, all or none: a rule already there is
// InvalidPermission.Duplicate.
func (s *Store) Authorize(regionName, groupID, groupName string, egress bool, rules []*Rule) ([]Rule, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	g, err := r.group(n, groupID, groupName)
	if err != nil {
		return nil, err
	}
	count := 0
	for _, have := range g.Rules {
		if have.Egress == egress {
			count++
		}
	}
	for i, rule := range rules {
		if rule.PeerGroup != "" && n.groups[rule.PeerGroup] == nil {
			return nil, errGroupNotFound.Errorf("The security group '%s' does not exist", rule.PeerGroup)
		}
		rule.Egress, rule.GroupID = egress, g.ID
		for _, have := range append(slices.Clone(g.Rules), rules[:i]...) {
			if have.sameAs(rule) {
				return nil, errPermissionDup.Errorf("the specified rule \"%s\" already exists", ruleText(rule))
			}
		}
	}
	if count+len(rules) > maxRulesPerGroup {
		return nil, errRulesLimit.New("The maximum number of rules per security group has been reached.")
	}
	out := make([]Rule, len(rules))
	for i, rule := range rules {
		rule.ID = s.newID("sgr-")
		g.Rules = append(g.Rules, rule)
		out[i] = *rule
	}
	return out, nil
}

// Revoke removes rules from a group, named by their content or by ID; a
// rule not there is InvalidPermission.NotFound (by content) or
// InvalidSecurityGroupRuleId.NotFound (by ID).
func (s *Store) Revoke(regionName, groupID, groupName string, egress bool, rules []*Rule, ruleIDs []string) ([]Rule, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	g, err := r.group(n, groupID, groupName)
	if err != nil {
		return nil, err
	}
	var gone []*Rule
	for _, rule := range rules {
		rule.Egress = egress
		i := slices.IndexFunc(g.Rules, rule.sameAs)
		if i < 0 {
			return nil, errPermissionNotFound.New("The specified rule does not exist in this security group.")
		}
		gone = append(gone, g.Rules[i])
	}
	for _, id := range ruleIDs {
		i := slices.IndexFunc(g.Rules, func(x *Rule) bool { return x.ID == id && x.Egress == egress })
		if i < 0 {
			return nil, errRuleNotFound.Errorf("The security group rule ID '%s' does not exist", id)
		}
		gone = append(gone, g.Rules[i])
	}
	g.Rules = slices.DeleteFunc(g.Rules, func(x *Rule) bool { return slices.Contains(gone, x) })
	out := make([]Rule, len(gone))
	for i, x := range gone {
		out[i] = *x
	}
	return out, nil
}

var ruleFilters = map[string]bool{"group-id": true, "security-group-rule-id": true}

// DescribeSecurityGroupRules returns a page of rules ordered by ID.
func (s *Store) DescribeSecurityGroupRules(regionName string, q Page) ([]Rule, bool, error) {
	if bad, ok := checkFilters(q.Filters, ruleFilters, true); !ok {
		return nil, false, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	all := map[string]*Rule{}
	for _, g := range n.groups {
		for _, rule := range g.Rules {
			all[rule.ID] = rule
		}
	}
	if missing := missingIDs(q.IDs, func(id string) bool { return all[id] != nil }); len(missing) > 0 {
		return nil, false, errRuleNotFound.Errorf("The security group rule ID '%s' does not exist", missing[0])
	}
	ids, more := pageOf(sortedKeys(all), q, func(id string) bool {
		rule := all[id]
		fields := func(name string) []string {
			if name == "group-id" {
				return []string{rule.GroupID}
			}
			return []string{rule.ID}
		}
		return matchFilters(q.Filters, fields, rule.Tags)
	})
	out := make([]Rule, len(ids))
	for i, id := range ids {
		out[i] = *all[id]
		out[i].Tags = slices.Clone(all[id].Tags)
	}
	return out, more, nil
}

// ruleProtocol normalises an IpProtocol as EC2 stores it: names in lower
// case, 6/17/1/58 by name, everything else ("all", -1) as "-1".
func ruleProtocol(p string) (string, error) {
	switch strings.ToLower(p) {
	case "tcp", "6":
		return "tcp", nil
	case "udp", "17":
		return "udp", nil
	case "icmp", "1":
		return "icmp", nil
	case "icmpv6", "58":
		return "icmpv6", nil
	case "-1", "all":
		return "-1", nil
	}
	if n, err := strconv.Atoi(p); err == nil && n >= 0 && n <= 255 {
		return p, nil
	}
	return "", errInvalidParameter.Errorf("Invalid value '%s' for IP protocol. Unknown protocol.", p)
}

// rule finds a rule of any group by ID.
func (n *network) rule(id string) *Rule {
	for _, g := range n.groups {
		for _, r := range g.Rules {
			if r.ID == id {
				return r
			}
		}
	}
	return nil
}

// GroupIDByName finds a group of the default VPC by name.
func (s *Store) GroupIDByName(regionName, name string) (string, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	g, err := r.group(r.net(), "", name)
	if err != nil {
		return "", err
	}
	return g.ID, nil
}
