package cloudwatch

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Suppression reasons (ActionsSuppressedBy).
const (
	suppressedByAlarm     = "Alarm"
	suppressedByWait      = "WaitPeriod"
	suppressedByExtension = "ExtensionPeriod"
	// maxCompositePasses bounds the passes that settle composites of
	// composites in one evaluation (cycles are refused when put).
	maxCompositePasses = 10
)

// PutComposite creates or replaces a composite alarm and evaluates it at
// once; it returns the notifications of the state changes that follow.
func (s *Alarms) PutComposite(a *Alarm, now time.Time) ([]Notification, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	byName := s.alarms[a.Region]
	if old := byName[a.Name]; old != nil && !old.Composite {
		return nil, errValidation.Errorf("The alarm %s is a metric alarm: a composite alarm cannot replace it.", a.Name)
	}
	var missing []string
	for _, n := range a.rule.alarms(nil) {
		if n == a.Name {
			return nil, errValidation.Errorf("The alarm rule of %s refers to the alarm itself.", a.Name)
		}
		if byName[n] == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, errValidation.Errorf("Could not save the composite alarm as alarms [%s] in the alarm rule do not exist", strings.Join(missing, ", "))
	}
	if s.reaches(a.Region, a.rule.alarms(nil), a.Name, map[string]bool{}) {
		return nil, errValidation.Errorf("The alarm rule of %s creates a cycle of composite alarms.", a.Name)
	}
	if a.Suppressor != "" {
		sup := s.lookup(a.Region, a.Suppressor)
		if sup == nil {
			return nil, errValidation.Errorf("The ActionsSuppressor alarm %s does not exist.", a.Suppressor)
		}
		if sup.Name == a.Name {
			return nil, errValidation.New("A composite alarm cannot suppress its own actions.")
		}
	}
	s.put(a, now)
	return s.evaluateComposites(a.Region, now), nil
}

// reaches says whether target is among names or the children of the
// composites among them; the caller holds s.mu.
func (s *Alarms) reaches(region string, names []string, target string, seen map[string]bool) bool {
	for _, n := range names {
		if n == target {
			return true
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		if c := s.alarms[region][n]; c != nil && c.Composite && s.reaches(region, c.rule.alarms(nil), target, seen) {
			return true
		}
	}
	return false
}

// lookup finds an alarm by name or ARN; the caller holds s.mu.
func (s *Alarms) lookup(region, nameOrARN string) *Alarm {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return s.byARN(nameOrARN)
	}
	return s.alarms[region][nameOrARN]
}

// evaluateComposites settles the state of a region's composite alarms and
// runs the actions waiting for a WaitPeriod; the caller holds s.mu.
func (s *Alarms) evaluateComposites(region string, now time.Time) []Notification {
	byName := s.alarms[region]
	var out []Notification
	for pass := 0; pass < maxCompositePasses; pass++ {
		changed := false
		for _, a := range byName {
			if !a.Composite || a.rule == nil {
				continue
			}
			state, reason, data := s.compositeState(a)
			if state == a.State {
				continue
			}
			changed = true
			out = append(out, s.transition(a, state, reason, data, now)...)
		}
		if !changed {
			break
		}
	}
	for _, a := range byName {
		if !a.Composite || a.pendingAt.IsZero() || now.Before(a.pendingAt) {
			continue
		}
		a.pendingAt = time.Time{}
		if sup := s.lookup(region, a.Suppressor); sup != nil && sup.State == StateAlarm {
			a.SuppressedBy, a.SuppressedReason = suppressedByAlarm, "Alarm "+sup.Name+" is in ALARM state"
			continue
		}
		a.SuppressedBy, a.SuppressedReason = "", ""
		out = append(out, s.actions(a, a.State, now)...)
	}
	return out
}

// compositeState evaluates a composite's rule: ALARM when it holds;
// INSUFFICIENT_DATA when it does not and every alarm it names is
// INSUFFICIENT_DATA; OK otherwise.
func (s *Alarms) compositeState(a *Alarm) (state, reason, data string) {
	byName := s.alarms[a.Region]
	st := func(n string) string {
		if c := byName[n]; c != nil {
			return c.State
		}
		return ""
	}
	children := a.rule.alarms(nil)
	var newest *Alarm
	for _, n := range children {
		if c := byName[n]; c != nil && (newest == nil || c.StateTransitioned.After(newest.StateTransitioned)) {
			newest = c
		}
	}
	switch {
	case a.rule.eval(st):
		state = StateAlarm
	case len(children) > 0 && !slices.ContainsFunc(children, func(n string) bool { return st(n) != StateInsufficient }):
		state = StateInsufficient
	default:
		state = StateOK
	}
	if newest == nil {
		return state, "Alarm rule evaluated to " + map[bool]string{true: "TRUE", false: "FALSE"}[state == StateAlarm], `{"triggeringAlarms":[]}`
	}
	reason = newest.ARN + " transitioned to " + newest.State + " at " + newest.StateTransitioned.UTC().Format("Monday 02 January, 2006 15:04:05") + " UTC"
	var b bytes.Buffer
	b.WriteString(`{"triggeringAlarms":[`)
	for i, n := range children {
		c := byName[n]
		if c == nil {
			continue
		}
		if i > 0 && b.Bytes()[b.Len()-1] != '[' {
			b.WriteByte(',')
		}
		b.WriteString(`{"arn":` + jsonQuote(c.ARN) + `,"state":{"value":"` + c.State + `","timestamp":"` + isoMillis(c.StateTransitioned) + `"}}`)
	}
	b.WriteString("]}")
	return state, reason, b.String()
}

// suppress says whether a composite's actions are suppressed now by its
// ActionsSuppressor (in ALARM, within ExtensionPeriod after it left ALARM,
// or, when the composite enters ALARM, during WaitPeriod while the
// suppressor may still go into ALARM); the caller holds s.mu.
func (s *Alarms) suppress(a *Alarm, now time.Time) bool {
	if a.Suppressor == "" {
		return false
	}
	sup := s.lookup(a.Region, a.Suppressor)
	if sup == nil {
		return false
	}
	switch {
	case sup.State == StateAlarm:
		a.SuppressedBy, a.SuppressedReason = suppressedByAlarm, "Alarm "+sup.Name+" is in ALARM state"
	case !sup.leftAlarm.IsZero() && now.Before(sup.leftAlarm.Add(time.Duration(a.ExtensionPeriod)*time.Second)):
		a.SuppressedBy, a.SuppressedReason = suppressedByExtension, "Extension period of "+itoa(a.ExtensionPeriod)+" seconds after alarm "+sup.Name+" left ALARM state"
	case a.State == StateAlarm && a.WaitPeriod > 0:
		a.SuppressedBy, a.SuppressedReason = suppressedByWait, "Waiting "+itoa(a.WaitPeriod)+" seconds for alarm "+sup.Name+" to go into ALARM state"
		a.pendingAt = now.Add(time.Duration(a.WaitPeriod) * time.Second)
	default:
		return false
	}
	return true
}

// mutedBy names the mute rule that mutes a's actions now ("" when none);
// the caller holds s.mu.
func (s *Alarms) mutedBy(a *Alarm, now time.Time) string {
	for _, m := range s.mutes[a.Region] {
		if slices.Contains(m.Targets, a.Name) && m.Status(now) == muteActive {
			return m.Name
		}
	}
	return ""
}

type compositeChild struct {
	Arn   string `json:"Arn"`
	State struct {
		Value     string `json:"Value"`
		Timestamp string `json:"Timestamp"`
	} `json:"State"`
}

type compositeNotification struct {
	AlarmName                          string           `json:"AlarmName"`
	AlarmDescription                   *string          `json:"AlarmDescription"`
	AWSAccountID                       string           `json:"AWSAccountId"`
	AlarmConfigurationUpdatedTimestamp string           `json:"AlarmConfigurationUpdatedTimestamp"`
	NewStateValue                      string           `json:"NewStateValue"`
	NewStateReason                     string           `json:"NewStateReason"`
	StateChangeTime                    string           `json:"StateChangeTime"`
	Region                             string           `json:"Region"`
	AlarmArn                           string           `json:"AlarmArn"`
	OldStateValue                      string           `json:"OldStateValue"`
	AlarmRule                          string           `json:"AlarmRule"`
	TriggeringChildren                 []compositeChild `json:"TriggeringChildren"`
	OKActions                          []string         `json:"OKActions"`
	AlarmActions                       []string         `json:"AlarmActions"`
	InsufficientDataActions            []string         `json:"InsufficientDataActions"`
}

// compositeMessage is the JSON AWS publishes for a composite alarm's
// state change; the caller holds s.mu.
func (s *Alarms) compositeMessage(a *Alarm, old string, now time.Time) string {
	m := compositeNotification{AlarmName: a.Name, AWSAccountID: s.account, AlarmConfigurationUpdatedTimestamp: isoMillis(a.Updated),
		NewStateValue: a.State, NewStateReason: a.StateReason, StateChangeTime: isoMillis(now), Region: regionName(a.Region),
		AlarmArn: a.ARN, OldStateValue: old, AlarmRule: a.Rule, TriggeringChildren: []compositeChild{},
		OKActions: orEmpty(a.OKActions), AlarmActions: orEmpty(a.AlarmActions), InsufficientDataActions: orEmpty(a.InsufficientDataActions)}
	if a.Description != "" {
		m.AlarmDescription = &a.Description
	}
	for _, n := range a.rule.alarms(nil) {
		if c := s.alarms[a.Region][n]; c != nil {
			var ch compositeChild
			ch.Arn, ch.State.Value, ch.State.Timestamp = c.ARN, c.State, isoMillis(c.StateTransitioned)
			m.TriggeringChildren = append(m.TriggeringChildren, ch)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "{}"
	}
	return strings.TrimRight(buf.String(), "\n")
}

// ---- mute rules

// PutMuteRule creates or replaces a mute rule.
func (s *Alarms) PutMuteRule(m *MuteRule, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	byName := s.mutes[m.Region]
	if byName == nil {
		byName = map[string]*MuteRule{}
		s.mutes[m.Region] = byName
	}
	old := byName[m.Name]
	if old == nil && len(byName) >= maxMuteRules {
		return errLimitExceeded.Errorf("The maximum number of alarm mute rules (%d) has been reached.", maxMuteRules)
	}
	m.ARN = "arn:aws:cloudwatch:" + m.Region + ":" + s.account + ":alarm-mute-rule:" + m.Name
	m.Updated = now
	if m.Tags == nil && old != nil {
		m.Tags = old.Tags
	}
	byName[m.Name] = m
	return nil
}

// MuteRule returns a copy of a mute rule.
func (s *Alarms) MuteRule(region, name string) (MuteRule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mutes[region][name]
	if m == nil {
		return MuteRule{}, notFound("AlarmMuteRule", name, "Alarm mute rule "+name+" does not exist.")
	}
	return *m, nil
}

// MuteRules lists a region's mute rules by name, optionally those muting
// an alarm (which must exist).
func (s *Alarms) MuteRules(region, alarm string) ([]MuteRule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if alarm != "" && s.alarms[region][alarm] == nil {
		return nil, notFound("Alarm", alarm, "Alarm "+alarm+" does not exist.")
	}
	var out []MuteRule
	for _, m := range s.mutes[region] {
		if alarm == "" || slices.Contains(m.Targets, alarm) {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b MuteRule) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteMuteRule deletes a mute rule (a missing one is no error, as on AWS).
func (s *Alarms) DeleteMuteRule(region, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.mutes[region], name)
}
