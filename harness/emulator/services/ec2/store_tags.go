package ec2

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// validTags checks tags as CreateTags and TagSpecifications do.
func validTags(tags []Tag) error {
	for _, t := range tags {
		switch {
		case t.Key == "":
			return errInvalidParameter.New("Tag key must not be empty")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return errInvalidParameter.New("Tag keys starting with 'aws:' are reserved for internal use")
		case len([]rune(t.Key)) > maxTagKey:
			return errInvalidParameter.Errorf("Tag key exceeds the maximum length of %d characters", maxTagKey)
		case len([]rune(t.Value)) > maxTagValue:
			return errInvalidParameter.Errorf("Tag value exceeds the maximum length of %d characters", maxTagValue)
		}
	}
	return nil
}

// mergeTags sets tags on have, replacing values of keys already there.
func mergeTags(have, add []Tag) ([]Tag, error) {
	out := slices.Clone(have)
	for _, t := range add {
		out = setTag(out, t.Key, t.Value)
	}
	if len(out) > maxTags {
		return nil, errTagLimit.New("The maximum number of Tags for a resource has been reached.")
	}
	return out, nil
}

func setTag(tags []Tag, key, value string) []Tag {
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value = value
			return tags
		}
	}
	return append(tags, Tag{key, value})
}

// TagDescription is one tag of one resource, as DescribeTags lists it.
type TagDescription struct {
	ResourceID, ResourceType, Key, Value string
}

// TagDelete is one Tag.N of DeleteTags: without a value it deletes the key
// whatever its value.
type TagDelete struct {
	Key, Value string
	HasValue   bool
}

// taggable finds the tags of each resource named, checking them all first;
// r.mu held for writing.
func (r *region) taggable(ids []string, now time.Time) ([]*[]Tag, error) {
	out := make([]*[]Tag, 0, len(ids))
	for _, id := range ids {
		switch {
		case strings.HasPrefix(id, "i-"):
			if !ValidInstanceID(id) {
				return nil, errInstanceMalformed.Errorf(`Invalid id: "%s" (expecting "i-...")`, id)
			}
			ins, err := r.lookup([]string{id}, now)
			if err != nil {
				return nil, err
			}
			out = append(out, &ins[0].Tags)
		case strings.HasPrefix(id, "key-"):
			k := r.keyByID(id)
			if k == nil {
				return nil, errKeyPairNotFound.Errorf("The key pair '%s' does not exist", id)
			}
			out = append(out, &k.Tags)
		case strings.HasPrefix(id, "vpc-"):
			v := r.net().vpcs[id]
			if v == nil {
				return nil, notFound(errVpcNotFound, "vpc", []string{id})
			}
			out = append(out, &v.Tags)
		case strings.HasPrefix(id, "subnet-"):
			sn := r.net().subnets[id]
			if sn == nil {
				return nil, notFound(errSubnetNotFound, "subnet", []string{id})
			}
			out = append(out, &sn.Tags)
		case strings.HasPrefix(id, "vol-"):
			v, err := r.volume(id)
			if err != nil {
				return nil, err
			}
			out = append(out, &v.Tags)
		case strings.HasPrefix(id, "igw-"):
			g, err := r.net().gateway(id)
			if err != nil {
				return nil, err
			}
			out = append(out, &g.Tags)
		case strings.HasPrefix(id, "rtb-"):
			t, err := r.net().table(id)
			if err != nil {
				return nil, err
			}
			out = append(out, &t.Tags)
		case strings.HasPrefix(id, "sgr-"):
			rule := r.net().rule(id)
			if rule == nil {
				return nil, errRuleNotFound.Errorf("The security group rule ID '%s' does not exist", id)
			}
			out = append(out, &rule.Tags)
		case strings.HasPrefix(id, "sg-"):
			g := r.net().groups[id]
			if g == nil {
				return nil, errGroupNotFound.Errorf("The security group '%s' does not exist", id)
			}
			out = append(out, &g.Tags)
		default:
			return nil, errInvalidID.Errorf("The ID '%s' is not valid", id)
		}
	}
	return out, nil
}

// CreateTags adds or overwrites tags on instances and key pairs.
func (s *Store) CreateTags(regionName string, ids []string, tags []Tag) error {
	if err := validTags(tags); err != nil {
		return err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	targets, err := r.taggable(ids, s.env.Now())
	if err != nil {
		return err
	}
	merged := make([][]Tag, len(targets))
	for i, t := range targets {
		if merged[i], err = mergeTags(*t, tags); err != nil {
			return err
		}
	}
	for i, t := range targets {
		*t = merged[i]
	}
	return nil
}

// DeleteTags removes tags (all of them when dels is empty).
func (s *Store) DeleteTags(regionName string, ids []string, dels []TagDelete) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	targets, err := r.taggable(ids, s.env.Now())
	if err != nil {
		return err
	}
	for _, t := range targets {
		*t = slices.DeleteFunc(*t, func(tag Tag) bool {
			if len(dels) == 0 {
				return true
			}
			for _, d := range dels {
				if d.Key == tag.Key && (!d.HasValue || d.Value == tag.Value) {
					return true
				}
			}
			return false
		})
	}
	return nil
}

var tagFilters = map[string]bool{"resource-id": true, "resource-type": true, "key": true, "value": true}

// DescribeTags returns one page of tags, ordered by resource ID then key,
// starting after the (resource ID, key) pair after; more says whether
// another page follows.
func (s *Store) DescribeTags(regionName string, filters []Filter, max int, afterID, afterKey string) ([]TagDescription, bool, error) {
	if bad, ok := checkFilters(filters, tagFilters, true); !ok {
		return nil, false, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	if max <= 0 {
		max = defaultPageSize
	}
	now := s.env.Now()
	r := s.region(regionName)
	r.mu.Lock()
	var all []TagDescription
	for _, in := range r.order {
		if !visible(in, now) {
			continue
		}
		for _, t := range in.Tags {
			all = append(all, TagDescription{in.ID, "instance", t.Key, t.Value})
		}
	}
	for _, k := range r.keys {
		for _, t := range k.Tags {
			all = append(all, TagDescription{k.ID, "key-pair", t.Key, t.Value})
		}
	}
	n := r.net()
	add := func(id, typ string, tags []Tag) {
		for _, t := range tags {
			all = append(all, TagDescription{id, typ, t.Key, t.Value})
		}
	}
	for _, v := range n.vpcs {
		add(v.ID, "vpc", v.Tags)
	}
	for _, sn := range n.subnets {
		add(sn.ID, "subnet", sn.Tags)
	}
	for _, v := range n.volumes {
		add(v.ID, "volume", v.Tags)
	}
	for _, g := range n.gateways {
		add(g.ID, "internet-gateway", g.Tags)
	}
	for _, t := range n.tables {
		add(t.ID, "route-table", t.Tags)
	}
	for _, g := range n.groups {
		add(g.ID, "security-group", g.Tags)
		for _, rule := range g.Rules {
			add(rule.ID, "security-group-rule", rule.Tags)
		}
	}
	r.mu.Unlock()
	sort.Slice(all, func(i, j int) bool {
		if all[i].ResourceID != all[j].ResourceID {
			return all[i].ResourceID < all[j].ResourceID
		}
		return all[i].Key < all[j].Key
	})
	var out []TagDescription
	for _, d := range all {
		if afterID != "" && (d.ResourceID < afterID || d.ResourceID == afterID && d.Key <= afterKey) {
			continue
		}
		fields := func(name string) []string {
			switch name {
			case "resource-id":
				return []string{d.ResourceID}
			case "resource-type":
				return []string{d.ResourceType}
			case "key":
				return []string{d.Key}
			case "value":
				return []string{d.Value}
			}
			return nil
		}
		if !matchFilters(filters, fields, []Tag{{d.Key, d.Value}}) {
			continue
		}
		if len(out) == max {
			return out, true, nil
		}
		out = append(out, d)
	}
	return out, false, nil
}

// validNewTags checks the tags a Create call's TagSpecifications give.
func validNewTags(tags []Tag) error {
	if len(tags) > maxTags {
		return errTagLimit.New("The maximum number of Tags for a resource has been reached.")
	}
	return validTags(tags)
}
