package sns

import (
	"encoding/base64"
	"sort"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// link is SNS as other services publish to it (cloud.Topics): S3 event
// notifications and Lambda destinations.
type link struct{ s *Service }

func (l link) TopicExists(topicARN string) bool { return l.s.store.TopicExists(topicARN) }

// Publish validates and publishes m as the Publish API does, with the
// emulator's own host in the URLs it hands out.
func (l link) Publish(topicARN string, m cloud.TopicMessage) (string, error) {
	e := publishEntry{message: m.Message, subject: m.Subject, hasMessage: true, hasSubject: m.Subject != "",
		groupID: m.GroupID, dedupID: m.DeduplicationID, size: len(m.Message)}
	for name, a := range m.Attributes {
		v := msgAttr{Type: a.DataType, Value: a.StringValue}
		if a.BinaryValue != nil {
			v.Value, v.binary = base64.StdEncoding.EncodeToString(a.BinaryValue), a.BinaryValue
		}
		if e.attrs == nil {
			e.attrs = map[string]msgAttr{}
		}
		e.attrs[name] = v
		e.attrOrder = append(e.attrOrder, name)
		e.size += len(name) + len(v.Type) + len(v.Value)
	}
	sort.Strings(e.attrOrder)
	structured, err := e.check()
	if err != nil {
		return "", err
	}
	p, err := l.s.accept(nil, topicARN, &e, structured)
	if err != nil {
		return "", err
	}
	return p.MessageID, nil
}
