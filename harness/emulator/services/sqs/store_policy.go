package sqs

import (
	"encoding/json"
)

// policyDocument is the queue policy AddPermission and RemovePermission edit.
type policyDocument struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Principal map[string]any `json:"Principal"`
	Action    []string       `json:"Action"`
	Resource  string         `json:"Resource"`
}

var permissionActions = map[string]bool{
	"*": true, "ChangeMessageVisibility": true, "DeleteMessage": true, "GetQueueAttributes": true,
	"GetQueueUrl": true, "ListDeadLetterSourceQueues": true, "PurgeQueue": true, "ReceiveMessage": true,
	"SendMessage": true, "ListQueueTags": true, "CancelMessageMoveTask": true, "ListMessageMoveTasks": true,
	"StartMessageMoveTask": true,
}

// AddPermission adds a statement to q's policy (AddPermission).
func (s *Store) AddPermission(q *Queue, label string, accounts, actions []string) error {
	if len(actions) > 7 {
		return errOverLimit.Errorf("%d Actions were found, maximum allowed is 7.", len(actions))
	}
	for _, a := range actions {
		if !permissionActions[a] {
			return errInvalidParameterValue.Errorf(msgParamInvalid, "SQS:"+a, "ActionName", "Only the queue owner is allowed to invoke this action.")
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	doc := policyDocument{Version: "2012-10-17", ID: q.ARN + "/SQSDefaultPolicy"}
	if q.cfg.policy != "" {
		_ = json.Unmarshal([]byte(q.cfg.policy), &doc)
	}
	for _, st := range doc.Statement {
		if st.Sid == label {
			return errInvalidParameterValue.Errorf(msgParamInvalid, label, "Label", "Already exists.")
		}
	}
	principals := make([]string, len(accounts))
	for i, a := range accounts {
		principals[i] = "arn:aws:iam::" + a + ":root"
	}
	acts := make([]string, len(actions))
	for i, a := range actions {
		acts[i] = "SQS:" + a
	}
	doc.Statement = append(doc.Statement, policyStatement{Sid: label, Effect: "Allow", Principal: map[string]any{"AWS": principals}, Action: acts, Resource: q.ARN})
	b, _ := json.Marshal(doc)
	q.cfg.policy = string(b)
	q.modified = s.now()
	return nil
}

// RemovePermission removes the statement AddPermission added under label.
func (s *Store) RemovePermission(q *Queue, label string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var doc policyDocument
	if q.cfg.policy == "" || json.Unmarshal([]byte(q.cfg.policy), &doc) != nil {
		return errInvalidParameterValue.Errorf(msgParamInvalid, label, "Label", "can't find label on existing policy.")
	}
	for i, st := range doc.Statement {
		if st.Sid == label {
			doc.Statement = append(doc.Statement[:i], doc.Statement[i+1:]...)
			if len(doc.Statement) == 0 {
				q.cfg.policy = ""
			} else {
				b, _ := json.Marshal(doc)
				q.cfg.policy = string(b)
			}
			q.modified = s.now()
			return nil
		}
	}
	return errInvalidParameterValue.Errorf(msgParamInvalid, label, "Label", "can't find label on existing policy.")
}
