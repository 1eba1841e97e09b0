package cloudwatch

import (
	"strconv"
	"strings"
	"time"
)

// Alarm mute rules: a schedule (at(yyyy-mm-ddThh:mm[:ss]) once, or
// cron(minute hour day-of-month month day-of-week [year]) recurring) opens
// a window of Duration (ISO 8601: PT4H, P1DT2H30M) in Timezone; while a
// window is open the actions of the target alarms do not run.

// Mute rule statuses and types.
const (
	muteScheduled = "SCHEDULED"
	muteActive    = "ACTIVE"
	muteExpired   = "EXPIRED"
	muteOneTime   = "ONE_TIME"
	muteRecurring = "RECURRING"
	// maxMuteWindow bounds a window (the look-back an activity check scans
	// minute by minute for cron schedules).
	maxMuteWindow = 31 * 24 * time.Hour
	maxMuteRules  = 1000
)

// MuteRule is an alarm mute rule.
type MuteRule struct {
	Name, ARN, Region, Description string
	Expression, Duration, Timezone string
	Targets                        []string
	HasTargets                     bool
	Start, Expire, Updated         time.Time
	Tags                           map[string]string

	window time.Duration
	loc    *time.Location
	at     time.Time // one-time rules
	cron   *cronSpec // recurring rules
}

// Type is ONE_TIME or RECURRING.
func (m *MuteRule) Type() string {
	if m.cron != nil {
		return muteRecurring
	}
	return muteOneTime
}

// Status is the rule's status at now.
func (m *MuteRule) Status(now time.Time) string {
	if !m.Expire.IsZero() && !now.Before(m.Expire) {
		return muteExpired
	}
	if !m.Start.IsZero() && now.Before(m.Start) {
		return muteScheduled
	}
	if m.cron == nil {
		switch {
		case now.Before(m.at):
			return muteScheduled
		case now.Before(m.at.Add(m.window)):
			return muteActive
		}
		return muteExpired
	}
	// a window is open when the schedule fired within the last Duration
	t := now.In(m.loc).Truncate(time.Minute)
	for from := now.Add(-m.window); t.After(from); t = t.Add(-time.Minute) {
		if !m.Start.IsZero() && t.Before(m.Start) {
			break
		}
		if m.cron.match(t) {
			return muteActive
		}
	}
	return muteScheduled
}

// parseSchedule fills a rule's window from its expression, duration and
// time zone.
func (m *MuteRule) parseSchedule() error {
	d, ok := parseISODuration(m.Duration)
	if !ok || d <= 0 || d > maxMuteWindow {
		return errValidation.Errorf("Invalid duration %s: use an ISO 8601 duration such as PT4H, from one minute to 31 days.", m.Duration)
	}
	m.window = d
	m.loc = time.UTC
	if m.Timezone != "" {
		loc, err := time.LoadLocation(m.Timezone)
		if err != nil {
			return errValidation.Errorf("Invalid timezone %s.", m.Timezone)
		}
		m.loc = loc
	}
	e := strings.TrimSpace(m.Expression)
	switch {
	case strings.HasPrefix(e, "at(") && strings.HasSuffix(e, ")"):
		v := e[3 : len(e)-1]
		for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if t, err := time.ParseInLocation(layout, v, m.loc); err == nil {
				m.at = t
				return nil
			}
		}
	case strings.HasPrefix(e, "cron(") && strings.HasSuffix(e, ")"):
		if c, ok := parseCron(e[5 : len(e)-1]); ok {
			m.cron = c
			return nil
		}
	}
	return errValidation.Errorf("Invalid schedule expression %s: use at(yyyy-mm-ddThh:mm:ss) or cron(minute hour day-of-month month day-of-week).", m.Expression)
}

// parseISODuration reads PnW, PnDTnHnMnS and their parts.
func parseISODuration(s string) (time.Duration, bool) {
	if len(s) < 3 || s[0] != 'P' {
		return 0, false
	}
	var d time.Duration
	inTime, num := false, ""
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'T' && !inTime && num == "":
			inTime = true
		default:
			n, err := strconv.Atoi(num)
			if err != nil || n > 1e6 {
				return 0, false
			}
			num = ""
			unit := map[bool]map[rune]time.Duration{
				false: {'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour},
				true:  {'H': time.Hour, 'M': time.Minute, 'S': time.Second},
			}[inTime][r]
			if unit == 0 {
				return 0, false
			}
			d += time.Duration(n) * unit
		}
	}
	return d, num == ""
}

// cronSpec is a parsed cron schedule: the allowed values of each field.
type cronSpec struct {
	minute, hour, dom, month, dow [64]bool
	year                          map[int]bool // nil: any year
	anyDom, anyDow                bool
}

var cronNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9,
	"OCT": 10, "NOV": 11, "DEC": 12, "SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}

// parseCron reads "minute hour dom month dow [year]" with *, ?, lists,
// ranges, steps and month and day names; day 7 of the week is Sunday.
func parseCron(s string) (*cronSpec, bool) {
	f := strings.Fields(s)
	if len(f) != 5 && len(f) != 6 {
		return nil, false
	}
	c := &cronSpec{anyDom: f[2] == "*" || f[2] == "?", anyDow: f[4] == "*" || f[4] == "?"}
	for i, spec := range []struct {
		set      *[64]bool
		min, max int
	}{{&c.minute, 0, 59}, {&c.hour, 0, 23}, {&c.dom, 1, 31}, {&c.month, 1, 12}, {&c.dow, 0, 7}} {
		if !cronField(f[i], spec.min, spec.max, func(v int) { spec.set[v] = true }) {
			return nil, false
		}
	}
	if c.dow[7] {
		c.dow[0] = true
	}
	if len(f) == 6 && f[5] != "*" && f[5] != "?" {
		c.year = map[int]bool{}
		if !cronField(f[5], 1970, 2199, func(v int) { c.year[v] = true }) {
			return nil, false
		}
	}
	return c, true
}

func cronField(f string, lo, hi int, set func(int)) bool {
	for _, part := range strings.Split(f, ",") {
		step := 1
		if base, st, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(st)
			if err != nil || n <= 0 {
				return false
			}
			part, step = base, n
		}
		from, to := lo, hi
		if part != "*" && part != "?" {
			a, b, isRange := strings.Cut(part, "-")
			var ok bool
			if from, ok = cronValue(a); !ok {
				return false
			}
			to = from
			if isRange {
				if to, ok = cronValue(b); !ok {
					return false
				}
			} else if step > 1 {
				to = hi
			}
		}
		if from < lo || to > hi || from > to {
			return false
		}
		for v := from; v <= to; v += step {
			set(v)
		}
	}
	return true
}

func cronValue(s string) (int, bool) {
	if v, ok := cronNames[strings.ToUpper(s)]; ok {
		return v, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func (c *cronSpec) match(t time.Time) bool {
	if !c.minute[t.Minute()] || !c.hour[t.Hour()] || !c.month[int(t.Month())] {
		return false
	}
	if c.year != nil && !c.year[t.Year()] {
		return false
	}
	dom, dow := c.dom[t.Day()], c.dow[int(t.Weekday())]
	switch {
	case c.anyDom && c.anyDow:
		return true
	case c.anyDom:
		return dow
	case c.anyDow:
		return dom
	}
	return dom || dow
}
