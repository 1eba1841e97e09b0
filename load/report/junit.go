package report

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Time       float64         `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit renders r as JUnit XML: one testcase per threshold, plus one
// saying whether the run completed.
func (r *Result) JUnit() ([]byte, error) {
	suite := junitSuite{Name: "groundstack load " + r.Profile.Name, Time: r.Seconds, Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05")}
	class := "load." + r.Profile.Name
	props := [][2]string{{"profile", r.Profile.Name}, {"status", r.Status}, {"target", r.Target.Kind}, {"api_url", r.Target.APIURL}, {"shard", r.Shard}}
	for _, p := range props {
		if p[1] != "" {
			suite.Properties = append(suite.Properties, junitProperty{p[0], p[1]})
		}
	}
	complete := junitCase{Name: "run completed", Classname: class, Time: r.Seconds}
	if !r.Complete {
		msg := "the run is " + r.Status
		if r.Error != "" {
			msg += ": " + r.Error
		}
		complete.Failure = &junitFailure{Message: msg, Type: r.Status, Text: msg}
	}
	suite.Cases = append(suite.Cases, complete)
	for _, c := range r.Thresholds {
		tc := junitCase{Name: c.Expr, Classname: class}
		if !c.OK {
			msg := fmt.Sprintf("%s: observed %s", c.Expr, c.Shown)
			tc.Failure = &junitFailure{Message: msg, Type: "threshold", Text: msg}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, c := range suite.Cases {
		suite.Tests++
		if c.Failure != nil {
			suite.Failures++
		}
	}
	out := []string{r.Line()}
	for _, e := range r.Events {
		suite.Properties = append(suite.Properties, junitProperty{"events." + e.Path, e.Line()})
		out = append(out, "  "+e.Line())
	}
	suite.SystemOut = strings.Join(out, "\n")
	doc := junitSuites{Name: "groundstack load", Tests: suite.Tests, Failures: suite.Failures, Time: r.Seconds, Suites: []junitSuite{suite}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return []byte(xml.Header + strings.TrimSpace(string(b)) + "\n"), nil
}

// WriteJUnit writes the JUnit XML file.
func (r *Result) WriteJUnit(path string) error {
	b, err := r.JUnit()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
