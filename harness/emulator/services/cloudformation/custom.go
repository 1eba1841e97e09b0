package cloudformation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Custom resources (Custom::Name, AWS::CloudFormation::CustomResource)
// backed by a Lambda function: the function gets CloudFormation's request
// event and answers by PUTting its response to the event's ResponseURL,
// which this service serves (unsigned, as the presigned S3 URL it stands
// for is) under responsesPath with a token only that request knows.

const (
	responsesPath = "/_groundstack/cloudformation/responses/"
	// maxResponse bounds a response body (AWS's limit is 4 KB).
	maxResponse = 64 << 10
	// responseGrace is how long a response may follow the function's
	// return (a handler that answers in a thread it does not wait for).
	responseGrace = 5 * time.Second
	// defaultServiceTimeout bounds the wait for a response when the
	// resource sets no ServiceTimeout (AWS waits an hour).
	defaultServiceTimeout = 5 * time.Minute
)

// customResponse is what a custom resource's function PUTs.
type customResponse struct {
	Status             string
	Reason             string
	PhysicalResourceId string
	NoEcho             bool
	Data               map[string]any
}

// responseBox holds the requests waiting for their responses, by token.
type responseBox struct {
	mu      sync.Mutex
	pending map[string]chan customResponse
}

func (b *responseBox) open() (string, chan customResponse) {
	buf := make([]byte, 24)
	_, _ = rand.Read(buf)
	token := hex.EncodeToString(buf)
	ch := make(chan customResponse, 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == nil {
		b.pending = map[string]chan customResponse{}
	}
	b.pending[token] = ch
	return token, ch
}

func (b *responseBox) close(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.pending, token)
}

func (b *responseBox) waiting(token string) (chan customResponse, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, ok := b.pending[token]
	return ch, ok
}

// Claims says whether an unsigned request is a response this account's
// stacks wait for, so the edge hands it to this account.
func (s *Service) Claims(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.URL.Path, responsesPath)
	if !ok {
		return false
	}
	_, ok = s.responses.waiting(token)
	return ok
}

// serveResponse takes a custom resource function's response.
func (s *Service) serveResponse(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.URL.Path, responsesPath)
	ch, ok := s.responses.waiting(token)
	if !ok || r.Method != http.MethodPut {
		http.Error(w, "no custom resource waits for this response", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	if err != nil || len(body) > maxResponse {
		http.Error(w, "response too large", http.StatusRequestEntityTooLarge)
		return
	}
	var resp customResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		resp = customResponse{Status: "FAILED", Reason: "Invalid custom resource response: " + err.Error()}
	}
	select {
	case ch <- resp:
	default: // a second answer to one request is ignored, as on AWS
	}
	w.WriteHeader(http.StatusOK)
}

// customType is the provider of every custom resource type.
var customType = &resourceType{
	create: func(ctx context.Context, c *call) (string, map[string]any, error) {
		return runCustom(ctx, c, "Create")
	},
	update: func(ctx context.Context, c *call) (map[string]any, error) {
		phys, attrs, err := runCustom(ctx, c, "Update")
		if err == nil && phys != c.physical {
			c.replacedBy = phys // a replacement: the old one gets its Delete at cleanup
		}
		return attrs, err
	},
	delete: func(ctx context.Context, c *call) error {
		_, _, err := runCustom(ctx, c, "Delete")
		return err
	},
}

func isCustomType(name string) bool {
	return strings.HasPrefix(name, "Custom::") || name == "AWS::CloudFormation::CustomResource"
}

// stringValues renders property values as CloudFormation hands them to a
// custom resource: every scalar a string.
func stringValues(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			out[k] = stringValues(el)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = stringValues(el)
		}
		return out
	case nil:
		return nil
	}
	return str(v)
}

// runCustom sends a request to a custom resource's function and waits for
// its response.
func runCustom(ctx context.Context, c *call, requestType string) (string, map[string]any, error) {
	token := c.str("ServiceToken")
	if !strings.HasPrefix(token, "arn:aws:lambda:") {
		return "", nil, reasonf("groundstack runs custom resources backed by Lambda functions only: ServiceToken %q is not a function ARN", token)
	}
	if c.cl.invoker == nil || c.cl.responses == nil {
		return "", nil, reasonf("custom resources need the Lambda service")
	}
	key, ch := c.cl.responses.open()
	defer c.cl.responses.close(key)
	physical := c.physical
	if requestType == "Create" {
		physical = ""
	}
	event := map[string]any{
		"RequestType": requestType, "ServiceToken": token,
		"ResponseURL": "http://" + c.cl.host + responsesPath + key,
		"StackId":     c.stack.ID, "RequestId": c.cl.newID(), "LogicalResourceId": c.logical,
		"ResourceType":       c.typ,
		"ResourceProperties": stringValues(c.props),
	}
	if physical != "" {
		event["PhysicalResourceId"] = physical
	}
	if requestType == "Update" {
		event["OldResourceProperties"] = stringValues(c.old)
	}
	payload, _ := json.Marshal(event)
	wait := defaultServiceTimeout
	if n, err := strconv.Atoi(c.str("ServiceTimeout")); err == nil && n > 0 {
		wait = time.Duration(n) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	invoked := make(chan error, 1)
	go func() {
		res, err := c.cl.invoker.Invoke(ctx, cloud.InvokeRequest{Region: c.cl.region, Function: token, Payload: payload})
		if err == nil && res.FunctionError != "" {
			err = reasonf("the custom resource's function failed without a response: %s", strings.TrimSpace(string(res.Payload)))
		}
		invoked <- err
	}()
	var grace <-chan time.Time
	for {
		select {
		case resp := <-ch:
			if resp.Status != "SUCCESS" {
				reason := resp.Reason
				if reason == "" {
					reason = "the custom resource's function answered " + resp.Status
				}
				return "", nil, reasonf("Received response status [%s] from custom resource. Message returned: %s", resp.Status, reason)
			}
			phys := resp.PhysicalResourceId
			if phys == "" {
				phys = physical
			}
			if phys == "" {
				phys = physicalName(c.stack.Name, c.logical, 128, false)
			}
			attrs := map[string]any{}
			for k, v := range resp.Data {
				attrs[k] = v
			}
			return phys, attrs, nil
		case err := <-invoked:
			if err != nil {
				return "", nil, err
			}
			grace = time.After(responseGrace)
		case <-grace:
			return "", nil, reasonf("the custom resource's function returned without sending a response to its ResponseURL")
		case <-ctx.Done():
			return "", nil, reasonf("CloudFormation did not receive a response from your Custom Resource in time (ServiceTimeout %v)", wait)
		}
	}
}
