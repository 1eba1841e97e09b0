package cloudwatch

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type putDashboardInput struct {
	DashboardName *string `json:"DashboardName" required:"true"`
	DashboardBody *string `json:"DashboardBody" required:"true"`
	Tags          []tag   `json:"Tags"`
}

type dashboardMessage struct {
	DataPath string `json:"DataPath,omitempty" xml:"DataPath,omitempty"`
	Message  string `json:"Message,omitempty" xml:"Message,omitempty"`
}

type putDashboardOutput struct {
	DashboardValidationMessages []dashboardMessage `json:"DashboardValidationMessages" xml:"DashboardValidationMessages>member"`
}

var dashboardName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// dashboardPage is how many dashboards ListDashboards answers at once.
const dashboardPage = 1000

// widgetTypes are the widget types a dashboard body may hold.
var widgetTypes = map[string]bool{"metric": true, "text": true, "log": true, "alarm": true, "explorer": true, "custom": true}

// checkDashboardBody validates a body as AWS does: a JSON object whose
// widgets (an array) are objects with a known type, integer x, y, width
// (1 to 24) and height (1 to 1000), and an object of properties (a metric
// widget's with metrics, an alarm widget's with alarms, a text widget's
// with markdown).
func checkDashboardBody(body string) []dashboardMessage {
	var doc any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return []dashboardMessage{{DataPath: "", Message: "Invalid JSON"}}
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return []dashboardMessage{{DataPath: "", Message: "Should be object"}}
	}
	var out []dashboardMessage
	add := func(path, format string, args ...any) {
		out = append(out, dashboardMessage{DataPath: path, Message: fmt.Sprintf(format, args...)})
	}
	w, has := root["widgets"]
	if !has {
		add("", "Should have required property 'widgets'")
		return out
	}
	widgets, ok := w.([]any)
	if !ok {
		add("/widgets", "Should be array")
		return out
	}
	for i, x := range widgets {
		p := fmt.Sprintf("/widgets/%d", i)
		wd, ok := x.(map[string]any)
		if !ok {
			add(p, "Should be object")
			continue
		}
		t, ok := wd["type"].(string)
		switch {
		case wd["type"] == nil:
			add(p, "Should have required property 'type'")
		case !ok || !widgetTypes[t]:
			add(p+"/type", "Should be equal to one of the allowed values")
		}
		for _, f := range []struct {
			name     string
			min, max float64
		}{{"x", 0, 23}, {"y", 0, 1e9}, {"width", 1, 24}, {"height", 1, 1000}} {
			v, has := wd[f.name]
			if !has {
				continue
			}
			n, ok := v.(float64)
			switch {
			case !ok || n != float64(int64(n)):
				add(p+"/"+f.name, "Should be integer")
			case n < f.min:
				add(p+"/"+f.name, "Should be >= %d", int(f.min))
			case n > f.max:
				add(p+"/"+f.name, "Should be <= %d", int(f.max))
			}
		}
		props, has := wd["properties"]
		if !has {
			if t != "explorer" {
				add(p, "Should have required property 'properties'")
			}
			continue
		}
		pm, ok := props.(map[string]any)
		if !ok {
			add(p+"/properties", "Should be object")
			continue
		}
		need := map[string]string{"text": "markdown", "alarm": "alarms", "log": "query"}[t]
		if t == "metric" && pm["metrics"] == nil && pm["annotations"] == nil {
			need = "metrics"
		}
		if need != "" && pm[need] == nil {
			add(p+"/properties", "Should have required property '%s'", need)
		}
		if m, has := pm["metrics"]; has {
			if _, ok := m.([]any); !ok {
				add(p+"/properties/metrics", "Should be array")
			}
		}
	}
	return out
}

func (s *Service) putDashboard(c *awsproto.Call, in *putDashboardInput) (putDashboardOutput, error) {
	out := putDashboardOutput{DashboardValidationMessages: []dashboardMessage{}}
	if !dashboardName.MatchString(*in.DashboardName) {
		return out, errInvalidParameter.New("The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).")
	}
	if len(*in.DashboardBody) > maxDashboardBody {
		return out, errInvalidParameter.Errorf("The value for field DashboardBody is too long: the maximum is %d bytes.", maxDashboardBody)
	}
	if msgs := checkDashboardBody(*in.DashboardBody); len(msgs) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "The dashboard body is invalid, there are %d validation errors: [", len(msgs))
		for i, m := range msgs {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, ` { "dataPath": %s, "message": %s }`, rawQuote(m.DataPath), rawQuote(m.Message))
		}
		b.WriteString(" ]")
		return out, errDashboardInvalid.New(b.String()).With("dashboardValidationMessages", msgs)
	}
	return out, s.resources.PutDashboard(*in.DashboardName, *in.DashboardBody, tagMap(in.Tags), s.clock.Now())
}

type getDashboardInput struct {
	DashboardName *string `json:"DashboardName" required:"true"`
}

type getDashboardOutput struct {
	DashboardArn  string `json:"DashboardArn,omitempty" xml:"DashboardArn,omitempty"`
	DashboardBody string `json:"DashboardBody,omitempty" xml:"DashboardBody,omitempty"`
	DashboardName string `json:"DashboardName,omitempty" xml:"DashboardName,omitempty"`
}

func (s *Service) getDashboard(c *awsproto.Call, in *getDashboardInput) (getDashboardOutput, error) {
	d, err := s.resources.GetDashboard(*in.DashboardName)
	if err != nil {
		return getDashboardOutput{}, err
	}
	return getDashboardOutput{DashboardArn: d.ARN, DashboardBody: d.Body, DashboardName: d.Name}, nil
}

type listDashboardsInput struct {
	DashboardNamePrefix *string `json:"DashboardNamePrefix"`
	NextToken           *string `json:"NextToken"`
}

type dashboardEntry struct {
	DashboardName string              `json:"DashboardName" xml:"DashboardName"`
	DashboardArn  string              `json:"DashboardArn" xml:"DashboardArn"`
	LastModified  *awsproto.Timestamp `json:"LastModified" xml:"LastModified"`
	Size          int64               `json:"Size" xml:"Size"`
}

type listDashboardsOutput struct {
	DashboardEntries []dashboardEntry `json:"DashboardEntries" xml:"DashboardEntries>member"`
	NextToken        string           `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

func (s *Service) listDashboards(c *awsproto.Call, in *listDashboardsInput) (listDashboardsOutput, error) {
	out := listDashboardsOutput{DashboardEntries: []dashboardEntry{}}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return out, err
	}
	for _, d := range s.resources.Dashboards(deref(in.DashboardNamePrefix)) {
		if after != "" && d.Name <= after {
			continue
		}
		if len(out.DashboardEntries) == dashboardPage {
			out.NextToken = encodeToken(out.DashboardEntries[dashboardPage-1].DashboardName)
			break
		}
		out.DashboardEntries = append(out.DashboardEntries, dashboardEntry{DashboardName: d.Name, DashboardArn: d.ARN,
			LastModified: ts(d.Modified), Size: int64(len(d.Body))})
	}
	return out, nil
}

type deleteDashboardsInput struct {
	DashboardNames []string `json:"DashboardNames" required:"true"`
}

func (s *Service) deleteDashboards(c *awsproto.Call, in *deleteDashboardsInput) (struct{}, error) {
	if len(in.DashboardNames) == 0 {
		return struct{}{}, errInvalidParameter.New("The value for field DashboardNames must not be empty.")
	}
	return struct{}{}, s.resources.DeleteDashboards(in.DashboardNames)
}

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[*t.Key] = *t.Value
	}
	return m
}

// rawQuote quotes a string for JSON without escaping HTML characters.
func rawQuote(v string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
