package cloudwatch

import (
	"slices"
	"sort"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type putCompositeAlarmInput struct {
	ActionsEnabled                   *bool    `json:"ActionsEnabled"`
	AlarmActions                     []string `json:"AlarmActions" max:"5"`
	AlarmDescription                 *string  `json:"AlarmDescription" max:"1024"`
	AlarmName                        *string  `json:"AlarmName" required:"true" min:"1" max:"255"`
	AlarmRule                        *string  `json:"AlarmRule" required:"true" min:"1" max:"10240"`
	InsufficientDataActions          []string `json:"InsufficientDataActions" max:"5"`
	OKActions                        []string `json:"OKActions" max:"5"`
	Tags                             []tag    `json:"Tags"`
	ActionsSuppressor                *string  `json:"ActionsSuppressor" min:"1" max:"1600"`
	ActionsSuppressorWaitPeriod      *int     `json:"ActionsSuppressorWaitPeriod"`
	ActionsSuppressorExtensionPeriod *int     `json:"ActionsSuppressorExtensionPeriod"`
}

func (s *Service) putCompositeAlarm(c *awsproto.Call, in *putCompositeAlarmInput) (struct{}, error) {
	for _, l := range [][]string{in.OKActions, in.AlarmActions, in.InsufficientDataActions} {
		if err := checkActions(l, ""); err != nil {
			return struct{}{}, err
		}
	}
	rule, err := parseRule(*in.AlarmRule)
	if err != nil {
		return struct{}{}, errValidation.Errorf("Error in alarm rule: %s", err.Error())
	}
	a := &Alarm{Name: *in.AlarmName, Region: c.Region, Description: deref(in.AlarmDescription), Composite: true,
		ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		OKActions:      in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		Rule: *in.AlarmRule, rule: rule, Suppressor: deref(in.ActionsSuppressor), Tags: tagMap(in.Tags)}
	if in.ActionsSuppressor != nil {
		if in.ActionsSuppressorWaitPeriod == nil || in.ActionsSuppressorExtensionPeriod == nil {
			return struct{}{}, errValidation.New("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when ActionsSuppressor is specified.")
		}
		a.WaitPeriod, a.ExtensionPeriod = *in.ActionsSuppressorWaitPeriod, *in.ActionsSuppressorExtensionPeriod
		if a.WaitPeriod < 0 || a.ExtensionPeriod < 0 {
			return struct{}{}, errValidation.New("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod must not be negative.")
		}
	} else if in.ActionsSuppressorWaitPeriod != nil || in.ActionsSuppressorExtensionPeriod != nil {
		return struct{}{}, errValidation.New("ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod can only be specified with ActionsSuppressor.")
	}
	return struct{}{}, s.changeStates(c.Region, func(now time.Time) ([]Notification, error) { return s.alarms.PutComposite(a, now) })
}

type compositeAlarmOut struct {
	ActionsEnabled                     bool                `json:"ActionsEnabled" xml:"ActionsEnabled"`
	AlarmActions                       []string            `json:"AlarmActions" xml:"AlarmActions>member"`
	AlarmArn                           string              `json:"AlarmArn" xml:"AlarmArn"`
	AlarmConfigurationUpdatedTimestamp *awsproto.Timestamp `json:"AlarmConfigurationUpdatedTimestamp,omitempty" xml:"AlarmConfigurationUpdatedTimestamp,omitempty"`
	AlarmDescription                   string              `json:"AlarmDescription,omitempty" xml:"AlarmDescription,omitempty"`
	AlarmName                          string              `json:"AlarmName" xml:"AlarmName"`
	AlarmRule                          string              `json:"AlarmRule" xml:"AlarmRule"`
	InsufficientDataActions            []string            `json:"InsufficientDataActions" xml:"InsufficientDataActions>member"`
	OKActions                          []string            `json:"OKActions" xml:"OKActions>member"`
	StateReason                        string              `json:"StateReason,omitempty" xml:"StateReason,omitempty"`
	StateReasonData                    string              `json:"StateReasonData,omitempty" xml:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              *awsproto.Timestamp `json:"StateUpdatedTimestamp,omitempty" xml:"StateUpdatedTimestamp,omitempty"`
	StateValue                         string              `json:"StateValue" xml:"StateValue"`
	StateTransitionedTimestamp         *awsproto.Timestamp `json:"StateTransitionedTimestamp,omitempty" xml:"StateTransitionedTimestamp,omitempty"`
	ActionsSuppressedBy                string              `json:"ActionsSuppressedBy,omitempty" xml:"ActionsSuppressedBy,omitempty"`
	ActionsSuppressedReason            string              `json:"ActionsSuppressedReason,omitempty" xml:"ActionsSuppressedReason,omitempty"`
	ActionsSuppressor                  string              `json:"ActionsSuppressor,omitempty" xml:"ActionsSuppressor,omitempty"`
	ActionsSuppressorWaitPeriod        *int                `json:"ActionsSuppressorWaitPeriod,omitempty" xml:"ActionsSuppressorWaitPeriod,omitempty"`
	ActionsSuppressorExtensionPeriod   *int                `json:"ActionsSuppressorExtensionPeriod,omitempty" xml:"ActionsSuppressorExtensionPeriod,omitempty"`
}

func compositeOut(a *Alarm) compositeAlarmOut {
	o := compositeAlarmOut{ActionsEnabled: a.ActionsEnabled, AlarmActions: orEmpty(a.AlarmActions), AlarmArn: a.ARN,
		AlarmConfigurationUpdatedTimestamp: ts(a.Updated), AlarmDescription: a.Description, AlarmName: a.Name, AlarmRule: a.Rule,
		InsufficientDataActions: orEmpty(a.InsufficientDataActions), OKActions: orEmpty(a.OKActions),
		StateReason: a.StateReason, StateReasonData: a.StateReasonData, StateUpdatedTimestamp: ts(a.StateUpdated),
		StateValue: a.State, StateTransitionedTimestamp: ts(a.StateTransitioned),
		ActionsSuppressedBy: a.SuppressedBy, ActionsSuppressedReason: a.SuppressedReason, ActionsSuppressor: a.Suppressor}
	if a.Suppressor != "" {
		w, e := a.WaitPeriod, a.ExtensionPeriod
		o.ActionsSuppressorWaitPeriod, o.ActionsSuppressorExtensionPeriod = &w, &e
	}
	return o
}

// ---- alarm contributors

type describeAlarmContributorsInput struct {
	AlarmName *string `json:"AlarmName" required:"true" min:"1" max:"255"`
	NextToken *string `json:"NextToken"`
}

type describeAlarmContributorsOutput struct {
	AlarmContributors []struct{} `json:"AlarmContributors" xml:"AlarmContributors>member"`
	NextToken         string     `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

// describeAlarmContributors: contributors are the time series of a
// multi-series (PromQL) alarm, which groundstack does not evaluate, so an
// existing alarm has none.
func (s *Service) describeAlarmContributors(c *awsproto.Call, in *describeAlarmContributorsInput) (describeAlarmContributorsOutput, error) {
	out := describeAlarmContributorsOutput{AlarmContributors: []struct{}{}}
	if _, err := decodeToken(in.NextToken); err != nil {
		return out, err
	}
	if _, ok := s.alarms.Get(c.Region, *in.AlarmName); !ok {
		return out, notFound("Alarm", *in.AlarmName, "Alarm "+*in.AlarmName+" does not exist.")
	}
	return out, nil
}

// ---- mute rules

type muteSchedule struct {
	Expression *string `json:"Expression" xml:"Expression" required:"true" min:"1" max:"256"`
	Duration   *string `json:"Duration" xml:"Duration" required:"true" min:"1" max:"50"`
	Timezone   *string `json:"Timezone,omitempty" xml:"Timezone,omitempty" min:"1" max:"50"`
}

type muteRuleSpec struct {
	Schedule *muteSchedule `json:"Schedule" xml:"Schedule" required:"true"`
}

type muteTargets struct {
	AlarmNames []string `json:"AlarmNames" xml:"AlarmNames>member" required:"true" max:"100"`
}

type putAlarmMuteRuleInput struct {
	Name        *string             `json:"Name" required:"true" min:"1" max:"255"`
	Description *string             `json:"Description" max:"1024"`
	Rule        *muteRuleSpec       `json:"Rule" required:"true"`
	MuteTargets *muteTargets        `json:"MuteTargets"`
	Tags        []tag               `json:"Tags"`
	StartDate   *awsproto.Timestamp `json:"StartDate"`
	ExpireDate  *awsproto.Timestamp `json:"ExpireDate"`
}

func (s *Service) putAlarmMuteRule(c *awsproto.Call, in *putAlarmMuteRuleInput) (struct{}, error) {
	sc := in.Rule.Schedule
	m := &MuteRule{Name: *in.Name, Region: c.Region, Description: deref(in.Description), Expression: *sc.Expression,
		Duration: *sc.Duration, Timezone: deref(sc.Timezone), Tags: tagMap(in.Tags)}
	if in.MuteTargets != nil {
		m.Targets, m.HasTargets = in.MuteTargets.AlarmNames, true
		for _, n := range m.Targets {
			if n == "" || len(n) > 255 {
				return struct{}{}, errValidation.Errorf("Invalid alarm name in MuteTargets: %q.", n)
			}
		}
	}
	if in.StartDate != nil {
		m.Start = in.StartDate.Time()
	}
	if in.ExpireDate != nil {
		m.Expire = in.ExpireDate.Time()
		if !m.Start.IsZero() && !m.Start.Before(m.Expire) {
			return struct{}{}, errValidation.New("StartDate must be before ExpireDate.")
		}
	}
	if err := m.parseSchedule(); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.alarms.PutMuteRule(m, s.clock.Now())
}

type muteRuleNameInput struct {
	AlarmMuteRuleName *string `json:"AlarmMuteRuleName" required:"true" min:"1" max:"255"`
}

type muteScheduleOut struct {
	Expression string `json:"Expression" xml:"Expression"`
	Duration   string `json:"Duration" xml:"Duration"`
	Timezone   string `json:"Timezone,omitempty" xml:"Timezone,omitempty"`
}

type getAlarmMuteRuleOutput struct {
	Name             string `json:"Name" xml:"Name"`
	AlarmMuteRuleArn string `json:"AlarmMuteRuleArn" xml:"AlarmMuteRuleArn"`
	Description      string `json:"Description,omitempty" xml:"Description,omitempty"`
	Rule             struct {
		Schedule muteScheduleOut `json:"Schedule" xml:"Schedule"`
	} `json:"Rule" xml:"Rule"`
	MuteTargets *struct {
		AlarmNames []string `json:"AlarmNames" xml:"AlarmNames>member"`
	} `json:"MuteTargets,omitempty" xml:"MuteTargets,omitempty"`
	StartDate            *awsproto.Timestamp `json:"StartDate,omitempty" xml:"StartDate,omitempty"`
	ExpireDate           *awsproto.Timestamp `json:"ExpireDate,omitempty" xml:"ExpireDate,omitempty"`
	Status               string              `json:"Status" xml:"Status"`
	LastUpdatedTimestamp *awsproto.Timestamp `json:"LastUpdatedTimestamp" xml:"LastUpdatedTimestamp"`
	MuteType             string              `json:"MuteType" xml:"MuteType"`
}

func optTS(t time.Time) *awsproto.Timestamp {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func (s *Service) getAlarmMuteRule(c *awsproto.Call, in *muteRuleNameInput) (getAlarmMuteRuleOutput, error) {
	m, err := s.alarms.MuteRule(c.Region, *in.AlarmMuteRuleName)
	if err != nil {
		return getAlarmMuteRuleOutput{}, err
	}
	out := getAlarmMuteRuleOutput{Name: m.Name, AlarmMuteRuleArn: m.ARN, Description: m.Description,
		StartDate: optTS(m.Start), ExpireDate: optTS(m.Expire), Status: m.Status(s.clock.Now()),
		LastUpdatedTimestamp: ts(m.Updated), MuteType: m.Type()}
	out.Rule.Schedule = muteScheduleOut{Expression: m.Expression, Duration: m.Duration, Timezone: m.Timezone}
	if m.HasTargets {
		out.MuteTargets = &struct {
			AlarmNames []string `json:"AlarmNames" xml:"AlarmNames>member"`
		}{orEmpty(m.Targets)}
	}
	return out, nil
}

type listAlarmMuteRulesInput struct {
	AlarmName  *string  `json:"AlarmName" min:"1" max:"255"`
	Statuses   []string `json:"Statuses"`
	MaxRecords *int     `json:"MaxRecords" min:"1" max:"100"`
	NextToken  *string  `json:"NextToken"`
}

type muteRuleSummary struct {
	AlarmMuteRuleArn     string              `json:"AlarmMuteRuleArn" xml:"AlarmMuteRuleArn"`
	ExpireDate           *awsproto.Timestamp `json:"ExpireDate,omitempty" xml:"ExpireDate,omitempty"`
	Status               string              `json:"Status" xml:"Status"`
	MuteType             string              `json:"MuteType" xml:"MuteType"`
	LastUpdatedTimestamp *awsproto.Timestamp `json:"LastUpdatedTimestamp" xml:"LastUpdatedTimestamp"`
}

type listAlarmMuteRulesOutput struct {
	AlarmMuteRuleSummaries []muteRuleSummary `json:"AlarmMuteRuleSummaries" xml:"AlarmMuteRuleSummaries>member"`
	NextToken              string            `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

func (s *Service) listAlarmMuteRules(c *awsproto.Call, in *listAlarmMuteRulesInput) (listAlarmMuteRulesOutput, error) {
	out := listAlarmMuteRulesOutput{AlarmMuteRuleSummaries: []muteRuleSummary{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	for _, st := range in.Statuses {
		if st != muteScheduled && st != muteActive && st != muteExpired {
			return out, errValidation.Errorf("1 validation error detected: Value '%s' at 'statuses' failed to satisfy constraint: Member must satisfy enum value set: [SCHEDULED, ACTIVE, EXPIRED]", st)
		}
	}
	list, err := s.alarms.MuteRules(c.Region, deref(in.AlarmName))
	if err != nil {
		return out, err
	}
	now := s.clock.Now()
	max := 100
	if in.MaxRecords != nil {
		max = *in.MaxRecords
	}
	i := sort.Search(len(list), func(i int) bool { return after == "" || list[i].Name > after })
	last := ""
	for ; i < len(list) && len(out.AlarmMuteRuleSummaries) < max; i++ {
		m := list[i]
		st := m.Status(now)
		if len(in.Statuses) > 0 && !slices.Contains(in.Statuses, st) {
			continue
		}
		last = m.Name
		out.AlarmMuteRuleSummaries = append(out.AlarmMuteRuleSummaries, muteRuleSummary{AlarmMuteRuleArn: m.ARN,
			ExpireDate: optTS(m.Expire), Status: st, MuteType: m.Type(), LastUpdatedTimestamp: ts(m.Updated)})
	}
	if i < len(list) && last != "" {
		out.NextToken = encodeToken(last)
	}
	return out, nil
}

func (s *Service) deleteAlarmMuteRule(c *awsproto.Call, in *muteRuleNameInput) (struct{}, error) {
	s.alarms.DeleteMuteRule(c.Region, *in.AlarmMuteRuleName)
	return struct{}{}, nil
}
