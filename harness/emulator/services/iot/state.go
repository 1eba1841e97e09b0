package iot

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// stateVersion is the version of the state format below.
const stateVersion = 1

// State is AWS IoT's saved state (version 1): every region's things and
// topic rules, which is all the emulator keeps of the control plane.
// Decoupled from the store's structs, it changes only with stateVersion.
//
// Not saved: the MQTT broker's sessions and retained messages (iot-data:
// the broker is the emulator's, not an account's), messages the rules
// engine is delivering.
type State struct {
	Things []ThingState `json:"things"`
	Rules  []RuleState  `json:"topicRules,omitempty"`
}

// ThingState is a thing.
type ThingState struct {
	Region     string            `json:"region"`
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Type       string            `json:"thingTypeName,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Version    int64             `json:"version"`
}

// RuleState is a topic rule: its payload as CreateTopicRule takes it (and
// GetTopicRule answers it), and when it was created.
type RuleState struct {
	Region  string          `json:"region"`
	Name    string          `json:"name"`
	Created time.Time       `json:"created"`
	Payload json.RawMessage `json:"topicRulePayload"`
}

// StateVersion, SaveState and LoadState make AWS IoT a cloud.StateSaver.
func (s *Service) StateVersion() int { return stateVersion }

func (s *Service) SaveState() (any, error) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	out := State{Things: []ThingState{}}
	for _, k := range slices.Sorted(maps.Keys(st.things)) {
		t := st.things[k]
		region, _, _ := strings.Cut(k, "/")
		out.Things = append(out.Things, ThingState{Region: region, Name: t.name, ID: t.id, Type: t.typeName,
			Attributes: maps.Clone(t.attributes), Version: t.version})
	}
	for _, k := range slices.Sorted(maps.Keys(st.rules)) {
		r := st.rules[k]
		payload, err := json.Marshal(r.payload)
		if err != nil {
			return nil, fmt.Errorf("topic rule %s: %w", r.name, err)
		}
		out.Rules = append(out.Rules, RuleState{Region: r.region, Name: r.name, Created: r.createdAt, Payload: payload})
	}
	return out, nil
}

func (s *Service) LoadState(version int, raw json.RawMessage) error {
	st, err := cloud.DecodeState[State](version, stateVersion, raw)
	if err != nil {
		return err
	}
	rules := make([]*rule, 0, len(st.Rules))
	for _, rs := range st.Rules {
		var p topicRulePayload
		if err := json.Unmarshal(rs.Payload, &p); err != nil {
			return fmt.Errorf("topic rule %s: %w", rs.Name, err)
		}
		if p.SQL == nil {
			return fmt.Errorf("topic rule %s: no SQL", rs.Name)
		}
		r, err := s.newRule(rs.Region, rs.Name, &p)
		if err != nil {
			return fmt.Errorf("topic rule %s: %w", rs.Name, err)
		}
		r.createdAt, r.arn = rs.Created, s.store.ruleARN(rs.Region, rs.Name)
		rules = append(rules, r)
	}
	store := s.store
	store.mu.Lock()
	defer store.mu.Unlock()
	for _, ts := range st.Things {
		if ts.Region == "" || ts.Name == "" {
			return fmt.Errorf("a thing without a region or a name")
		}
		t := &thing{name: ts.Name, id: ts.ID, typeName: ts.Type, attributes: map[string]string{}, version: ts.Version,
			arn: fmt.Sprintf("arn:aws:iot:%s:%s:thing/%s", ts.Region, store.account, ts.Name)}
		maps.Copy(t.attributes, ts.Attributes)
		store.things[ts.Region+"/"+ts.Name] = t
	}
	for _, r := range rules {
		store.rules[r.region+"/"+r.name] = r
	}
	store.publish()
	return nil
}
