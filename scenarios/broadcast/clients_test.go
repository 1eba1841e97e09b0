package broadcast_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/coder/websocket"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/harness/backend"
)

// received is one message a client got, and when.
type received struct {
	text string
	at   time.Time
}

// client is one WebSocket chat client: it reads every message into its
// inbox until the connection ends.
type client struct {
	conn *websocket.Conn
	raw  net.Conn // the TCP connection under it, to drop without a close frame
	done chan struct{}

	mu    sync.Mutex
	inbox []received
	err   error
}

// wsURL is the flow's WebSocket URL this backend answers at: the edge's
// path form where it has one, else the execute-api host form.
func wsURL() string {
	if cloud.Supports(backend.FeaturePathURLs) {
		return stack.URL
	}
	return stack.HostURL
}

// dial connects with token ("" for none); on a refused upgrade it returns
// the HTTP status.
func dial(ctx context.Context, token string) (*client, int, error) {
	u := wsURL()
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	c := &client{done: make(chan struct{})}
	var rawMu sync.Mutex
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			rawMu.Lock()
			c.raw = conn
			rawMu.Unlock()
			return conn, err
		},
	}}
	dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		return nil, status, err
	}
	conn.SetReadLimit(1 << 20)
	c.conn = conn
	go c.read()
	return c, 0, nil
}

func (c *client) read() {
	defer close(c.done)
	for {
		_, b, err := c.conn.Read(context.Background())
		now := time.Now()
		c.mu.Lock()
		if err != nil {
			c.err = err
			c.mu.Unlock()
			return
		}
		c.inbox = append(c.inbox, received{string(b), now})
		c.mu.Unlock()
	}
}

// send sends a sendmessage action with data.
func (c *client) send(ctx context.Context, data string) error {
	body := fmt.Sprintf(`{"action":"sendmessage","data":%s}`, strconv.Quote(data))
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, []byte(body))
}

// texts is what the client has received so far, with the given prefix.
func (c *client) texts(prefix string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.inbox {
		if strings.HasPrefix(r.text, prefix) {
			out = append(out, r.text)
		}
	}
	return out
}

func (c *client) messages() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.inbox)
}

// close closes the connection normally and waits for the reader.
func (c *client) close() {
	_ = c.conn.Close(websocket.StatusNormalClosure, "bye")
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
}

// kill drops the TCP connection without a close frame, as a crashed
// client or a lost network would.
func (c *client) kill() {
	if tc, ok := c.raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST, no FIN handshake
	}
	_ = c.raw.Close()
	<-c.done
}

// connectAll connects n clients, at most parallel at a time.
func connectAll(ctx context.Context, n, parallel int) []*client {
	GinkgoHelper()
	out := make([]*client, n)
	errs := make([]error, n)
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			c, status, err := dial(ctx, stack.Token)
			if err != nil {
				errs[i] = fmt.Errorf("client %d: status %d: %w", i, status, err)
			}
			out[i] = c
		}()
	}
	wg.Wait()
	Expect(errors.Join(errs...)).NotTo(HaveOccurred())
	return out
}

func closeAll(cs []*client) {
	var wg sync.WaitGroup
	for _, c := range cs {
		if c != nil {
			wg.Add(1)
			go func() { defer wg.Done(); c.close() }()
		}
	}
	wg.Wait()
}

func ddb() *dynamodb.Client { return dynamodb.NewFromConfig(cloud.Config()) }

// scanAll reads a whole table.
func scanAll(ctx context.Context, table string) []map[string]dtypes.AttributeValue {
	GinkgoHelper()
	var items []map[string]dtypes.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String(table)}
	for {
		out, err := ddb().Scan(ctx, in)
		Expect(err).NotTo(HaveOccurred())
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func str(item map[string]dtypes.AttributeValue, k string) string {
	switch v := item[k].(type) {
	case *dtypes.AttributeValueMemberS:
		return v.Value
	case *dtypes.AttributeValueMemberN:
		return v.Value
	}
	return ""
}

// connectionIDs are the ids in the Connections table.
func connectionIDs(ctx context.Context) []string {
	GinkgoHelper()
	var ids []string
	for _, it := range scanAll(ctx, stack.ConnectionsTable) {
		ids = append(ids, str(it, "connectionId"))
	}
	sort.Strings(ids)
	return ids
}

// connectOne connects a client and learns its connection id: the one id
// Connections gained (specs run one at a time, so no other client joins
// meanwhile).
func connectOne(ctx context.Context) (*client, string) {
	GinkgoHelper()
	before := connectionIDs(ctx)
	c, status, err := dial(ctx, stack.Token)
	Expect(err).NotTo(HaveOccurred(), "status %d", status)
	var id string
	Eventually(func() []string {
		var added []string
		for _, x := range connectionIDs(ctx) {
			if !slices.Contains(before, x) {
				added = append(added, x)
			}
		}
		if len(added) == 1 {
			id = added[0]
		}
		return added
	}).WithContext(ctx).WithTimeout(30*time.Second).WithPolling(50*time.Millisecond).Should(HaveLen(1), "the new client's id in %s", stack.ConnectionsTable)
	return c, id
}

// loggedMessage is the Messages item whose data is data, or nil.
func loggedMessage(ctx context.Context, data string) map[string]dtypes.AttributeValue {
	GinkgoHelper()
	for _, it := range scanAll(ctx, stack.MessagesTable) {
		if str(it, "data") == data {
			return it
		}
	}
	return nil
}

// percentile is the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
