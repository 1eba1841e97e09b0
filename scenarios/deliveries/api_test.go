package deliveries_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/golang-jwt/jwt/v5"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	fixtures "github.com/groundstack/groundstack/fixtures/deliveries"
	ld "github.com/groundstack/groundstack/load/deliveries"
)

// line is one product of a test order.
type line struct {
	ID    any    `json:"IdProducto"`
	Name  string `json:"producto"`
	Price any    `json:"precio"`
}

// orderBody writes an order the way a courier's app would.
func orderBody(id, timestamp string, lines ...line) []byte {
	b, _ := json.Marshal(map[string]any{
		"pedido_id":  id,
		"repartidor": map[string]any{"IdRepartidor": 1, "Nombre": "Ana Gómez"},
		"productos":  lines,
		"timestamp":  timestamp,
	})
	return b
}

func post(ctx context.Context, c *ld.Client, body []byte) ld.Response {
	GinkgoHelper()
	r, err := c.PostOrder(ctx, body)
	Expect(err).NotTo(HaveOccurred())
	return r
}

func metricsOf(ctx context.Context, c *ld.Client, day string) map[string]any {
	GinkgoHelper()
	_, raw, err := c.Metrics(ctx, day)
	Expect(err).NotTo(HaveOccurred())
	var m map[string]any
	Expect(json.Unmarshal(raw, &m)).To(Succeed())
	return m
}

// storedOrder reads an order straight from DynamoDB (nil when absent).
func storedOrder(ctx context.Context, id string) map[string]dtypes.AttributeValue {
	GinkgoHelper()
	out, err := ddb().GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(stack.Tables.Orders), ConsistentRead: aws.Bool(true),
		Key: map[string]dtypes.AttributeValue{"pedido_id": &dtypes.AttributeValueMemberS{Value: id}},
	})
	Expect(err).NotTo(HaveOccurred())
	return out.Item
}

var _ = Describe("logging in", Label("deliveries"), func() {
	It("issues a 30-minute HS256 bearer token on both front doors, usable on the other", func(ctx context.Context) {
		for name, c := range frontDoors() {
			r, err := c.Do(ctx, "POST", "/token", []byte(fmt.Sprintf(`{"username":%q,"password":%q}`, adminUser, adminPass)), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(200), name)
			var tok struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
			}
			Expect(json.Unmarshal(r.Body, &tok)).To(Succeed())
			Expect(tok.TokenType).To(Equal("bearer"))
			Expect(tok.ExpiresIn).To(Equal(1800))
			header, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[0])
			Expect(string(header)).To(ContainSubstring(`"alg":"HS256"`))
			claims := jwt.RegisteredClaims{}
			_, _, err = jwt.NewParser().ParseUnverified(tok.AccessToken, &claims)
			Expect(err).NotTo(HaveOccurred())
			Expect(claims.Subject).To(Equal(adminUser))
			Expect(claims.ExpiresAt.Sub(claims.IssuedAt.Time)).To(Equal(30 * time.Minute))
			for _, other := range frontDoors() {
				_, err := other.WithToken(tok.AccessToken).Orders(ctx, 1, "")
				Expect(err).NotTo(HaveOccurred(), "a token from the %s works on every front door", name)
			}
		}
	})

	It("accepts every demo user and the OAuth2 form encoding", func(ctx context.Context) {
		for _, l := range stack.Logins {
			_, err := fnURL.Login(ctx, l.Username, l.Password)
			Expect(err).NotTo(HaveOccurred(), l.Username)
		}
		form := []byte("username=" + adminUser + "&password=" + adminPass + "&grant_type=password")
		r, err := rest.Do(ctx, "POST", "/token", form, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Status).To(Equal(200), string(r.Body))
		r, err = rest.Do(ctx, "POST", "/token", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Status).To(Equal(400), "an empty body")
	})

	It("refuses wrong credentials with 401 and malformed logins with 400/422", func(ctx context.Context) {
		cases := []struct {
			body   string
			status int
		}{
			{fmt.Sprintf(`{"username":%q,"password":"wrong"}`, adminUser), 401},
			{fmt.Sprintf(`{"username":"nobody","password":%q}`, adminPass), 401},
			{fmt.Sprintf(`{"username":%q,"password":%q}`, strings.ToUpper(adminUser), adminPass), 401},
			{fmt.Sprintf(`{"username":%q}`, adminUser), 422},
			{`{"username":5,"password":"x"}`, 422},
			{`[]`, 422},
			{`{"username":`, 400},
		}
		for name, c := range frontDoors() {
			for _, tc := range cases {
				r, err := c.Do(ctx, "POST", "/token", []byte(tc.body), nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Status).To(Equal(tc.status), "%s: %s → %s", name, tc.body, r.Body)
				if tc.status == 401 {
					Expect(r.Detail()).To(Equal("Incorrect username or password"))
				}
			}
		}
	})

	It("stores bcrypt hashes, never passwords", func(ctx context.Context) {
		out, err := ddb().GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(stack.Tables.Users),
			Key:       map[string]dtypes.AttributeValue{"username": &dtypes.AttributeValueMemberS{Value: adminUser}},
		})
		Expect(err).NotTo(HaveOccurred())
		hash := out.Item["password_hash"].(*dtypes.AttributeValueMemberS).Value
		Expect(hash).To(HavePrefix("$2a$"))
		for k, v := range out.Item {
			if s, ok := v.(*dtypes.AttributeValueMemberS); ok {
				Expect(s.Value).NotTo(ContainSubstring(adminPass), k)
			}
		}
	})
})

var _ = Describe("bearer tokens", Label("deliveries"), func() {
	It("answers 403 to missing, malformed, forged, confused-algorithm and expired tokens", func(ctx context.Context) {
		sec, err := secretsmanager.NewFromConfig(cloud.Config()).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(stack.SecretID)})
		Expect(err).NotTo(HaveOccurred())
		secret := []byte(aws.ToString(sec.SecretString))
		now := time.Now()
		sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
			s, err := jwt.NewWithClaims(method, claims).SignedString(key)
			Expect(err).NotTo(HaveOccurred())
			return s
		}
		valid := jwt.MapClaims{"sub": adminUser, "iss": "deliveries", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		Expect(restAuthed.WithToken(sign(jwt.SigningMethodHS256, secret, valid)).Orders(ctx, 1, "")).Error().NotTo(HaveOccurred(),
			"a token signed by hand with the deployed secret is valid: the cases below differ only where they say")
		hmacOver := func(header string) string {
			enc := base64.RawURLEncoding
			payload, _ := json.Marshal(valid)
			signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(payload)
			m := hmac.New(sha256.New, secret)
			m.Write([]byte(signing))
			return signing + "." + enc.EncodeToString(m.Sum(nil))
		}
		unsignedNone := strings.Join(strings.Split(hmacOver(`{"alg":"none","typ":"JWT"}`), ".")[:2], ".") + "."
		expired := jwt.MapClaims{"sub": adminUser, "iss": "deliveries", "iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-time.Minute).Unix()}
		cases := []struct{ name, header, detail string }{
			{"no header", "", "Not authenticated"},
			{"basic auth", "Basic " + base64.StdEncoding.EncodeToString([]byte(adminUser+":"+adminPass)), "Not authenticated"},
			{"garbage", "Bearer not-a-jwt", "Could not validate credentials"},
			{"alg none", "Bearer " + unsignedNone, "Could not validate credentials"},
			{"RS256 header over an HMAC signature (key confusion)", "Bearer " + hmacOver(`{"alg":"RS256","typ":"JWT"}`), "Could not validate credentials"},
			{"HS512", "Bearer " + sign(jwt.SigningMethodHS512, secret, valid), "Could not validate credentials"},
			{"another secret", "Bearer " + sign(jwt.SigningMethodHS256, []byte("not the deployed secret, long enough...."), valid), "Could not validate credentials"},
			{"expired", "Bearer " + sign(jwt.SigningMethodHS256, secret, expired), "Token expired"},
		}
		routes := []struct {
			method, path string
			body         []byte
		}{
			{"GET", "/pedidos", nil}, {"GET", "/metrics", nil},
			{"POST", "/registrar_pedido_entregado", orderBody("AUTH-NEVER", time.Now().Format(time.RFC3339), line{1, "Moneda", 2.5})},
		}
		for door, c := range frontDoors() {
			for _, tc := range cases {
				for _, rt := range routes {
					h := map[string]string{}
					if tc.header != "" {
						h["Authorization"] = tc.header
					}
					r, err := c.Do(ctx, rt.method, rt.path, rt.body, h)
					Expect(err).NotTo(HaveOccurred())
					Expect(r.Status).To(Equal(403), "%s %s %s with %s: %s", door, rt.method, rt.path, tc.name, r.Body)
					Expect(r.Detail()).To(Equal(tc.detail), "%s %s with %s", door, rt.path, tc.name)
				}
			}
		}
		Expect(storedOrder(ctx, "AUTH-NEVER")).To(BeNil(), "no order was stored by an unauthenticated post")
	})
})

var _ = Describe("bad input", Label("deliveries"), func() {
	const day = "2025-02-03"
	ts := day + "T10:00:00-05:00"
	good := func(id string) []byte { return orderBody(id, ts, line{1, "Moneda", 2.5}, line{2, "Billete", 10}) }

	It("refuses bad bodies with 400/422 and reasons, and writes nothing", func(ctx context.Context) {
		before := metricsOf(ctx, restAuthed, day)
		big := orderBody("BAD-BIG", ts, line{1, strings.Repeat("x", 200), 1})
		big = append(big[:len(big)-1], []byte(`,"padding":"`+strings.Repeat("p", 70_000)+`"}`)...)
		cases := []struct {
			name   string
			body   []byte
			status int
			loc    string
		}{
			{"malformed JSON", []byte(`{"pedido_id":"BAD-1",`), 400, `["body"]`},
			{"empty body", []byte(``), 400, `["body"]`},
			{"oversized body", big, 400, `["body"]`},
			{"a list", []byte(`[]`), 422, `["body"]`},
			{"missing pedido_id", []byte(`{"repartidor":{"IdRepartidor":1,"Nombre":"Ana"},"productos":[{"IdProducto":1,"producto":"Moneda","precio":1}],"timestamp":"` + ts + `"}`), 422, `["body","pedido_id"]`},
			{"missing repartidor", []byte(`{"pedido_id":"BAD-2","productos":[{"IdProducto":1,"producto":"Moneda","precio":1}],"timestamp":"` + ts + `"}`), 422, `["body","repartidor"]`},
			{"negative price", orderBody("BAD-3", ts, line{1, "Moneda", 2.5}, line{2, "Billete", -10}), 422, `["body","productos",1,"precio"]`},
			{"price with 3 decimals", orderBody("BAD-4", ts, line{1, "Moneda", 2.555}), 422, `["body","productos",0,"precio"]`},
			{"price as text", orderBody("BAD-5", ts, line{1, "Moneda", "2.5"}), 422, `["body","productos",0,"precio"]`},
			{"empty product list", orderBody("BAD-6", ts), 422, `["body","productos"]`},
			{"product without name", orderBody("BAD-7", ts, line{1, "", 1}), 422, `["body","productos",0,"producto"]`},
			{"unreadable timestamp", orderBody("BAD-8", "14/03/2025 10:00", line{1, "Moneda", 1}), 422, `["body","timestamp"]`},
		}
		for door, c := range frontDoors() {
			c = c.WithToken(restAuthed.Token)
			for _, tc := range cases {
				r := post(ctx, c, tc.body)
				Expect(r.Status).To(Equal(tc.status), "%s, %s: %s", door, tc.name, r.Body)
				var m struct {
					Detail []struct {
						Loc  json.RawMessage `json:"loc"`
						Msg  string          `json:"msg"`
						Type string          `json:"type"`
					} `json:"detail"`
				}
				Expect(json.Unmarshal(r.Body, &m)).To(Succeed(), "%s: %s", tc.name, r.Body)
				Expect(m.Detail).NotTo(BeEmpty(), tc.name)
				Expect(string(m.Detail[0].Loc)).To(Equal(tc.loc), tc.name)
				Expect(m.Detail[0].Msg).NotTo(BeEmpty(), tc.name)
			}
		}
		for i := 1; i <= 8; i++ {
			Expect(storedOrder(ctx, fmt.Sprint("BAD-", i))).To(BeNil())
		}
		Expect(metricsOf(ctx, restAuthed, day)).To(Equal(before), "no counter moved")
	})

	It("treats an identical repost as a no-op and a conflicting one as 409, counting the order once", func(ctx context.Context) {
		r := post(ctx, restAuthed, good("DUP-1"))
		Expect(r.Status).To(Equal(200), string(r.Body))
		after := metricsOf(ctx, restAuthed, day)
		// The same order, written differently (2.50, the same instant in UTC), through the other door.
		same := orderBody("DUP-1", day+"T15:00:00Z", line{1, "Moneda", json.Number("2.50")}, line{2, "Billete", json.Number("10.0")})
		r = post(ctx, fnAuthed, same)
		Expect(r.Status).To(Equal(200), string(r.Body))
		Expect(string(r.Body)).To(ContainSubstring(`"duplicado":true`))
		for _, other := range [][]byte{
			orderBody("DUP-1", ts, line{1, "Moneda", 2.5}, line{2, "Billete", 11}),
			orderBody("DUP-1", ts, line{1, "Moneda", 2.5}),
			orderBody("DUP-1", day+"T10:00:01-05:00", line{1, "Moneda", 2.5}, line{2, "Billete", 10}),
		} {
			r = post(ctx, restAuthed, other)
			Expect(r.Status).To(Equal(409), string(r.Body))
			Expect(r.Detail()).To(ContainSubstring("DUP-1"))
		}
		Expect(metricsOf(ctx, restAuthed, day)).To(Equal(after), "reposts changed no counter")
		item := storedOrder(ctx, "DUP-1")
		Expect(item["total"]).To(Equal(&dtypes.AttributeValueMemberN{Value: "12.5"}), "the first content is kept")
	})

	It("leaves neither an order nor a counter change when the write fails half-way", func(ctx context.Context) {
		const broken = "2025-02-04"
		db := ddb()
		// A day aggregate whose counter is not a number makes the ADD, the
		// second half of the order's transaction, fail.
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.Tables.Metrics), Item: map[string]dtypes.AttributeValue{
			"dia": &dtypes.AttributeValueMemberS{Value: broken}, "pedidos": &dtypes.AttributeValueMemberS{Value: "corrupted"},
		}})
		Expect(err).NotTo(HaveOccurred())
		body := orderBody("HALF-1", broken+"T09:00:00-05:00", line{1, "Moneda", 2.5})
		r := post(ctx, restAuthed, body)
		Expect(r.Status).To(Equal(500), string(r.Body))
		Expect(storedOrder(ctx, "HALF-1")).To(BeNil(), "the order's Put was rolled back with the failed ADD")
		_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(stack.Tables.Metrics),
			Key: map[string]dtypes.AttributeValue{"dia": &dtypes.AttributeValueMemberS{Value: broken}}})
		Expect(err).NotTo(HaveOccurred())
		r = post(ctx, restAuthed, body)
		Expect(r.Status).To(Equal(200), "the retry after the repair is a first write, not a duplicate: %s", r.Body)
		Expect(string(r.Body)).To(ContainSubstring(`"duplicado":false`))
		m := metricsOf(ctx, restAuthed, broken)
		Expect(m["pedidos_dia"]).To(BeEquivalentTo(1))
		Expect(m["acumulado_ventas_dia"]).To(BeEquivalentTo(2.5))
	})

	It("answers a body past Lambda's 6 MB as AWS does: 413 with a JSON reason, never a 500", func(ctx context.Context) {
		// 7 MB: within API Gateway's 10 MB, past Lambda's 6 MB invoke payload.
		body := append(orderBody("BAD-HUGE", ts, line{1, "Moneda", 2.5}), bytes.Repeat([]byte(" "), 7<<20)...)
		for door, tc := range map[string]struct {
			c    *ld.Client
			want string
		}{
			"REST API":     {restAuthed, `{"message":"Request Too Long"}`},
			"Function URL": {fnAuthed, `{"Message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}`},
		} {
			r := post(ctx, tc.c, body)
			Expect(r.Status).To(Equal(413), "%s: %.200s", door, r.Body)
			Expect(r.Body).To(MatchJSON(tc.want), door)
		}
		Expect(storedOrder(ctx, "BAD-HUGE")).To(BeNil())
	})

	It("answers unknown routes 404 and wrong methods 405", func(ctx context.Context) {
		for door, c := range frontDoors() {
			r, err := c.Do(ctx, "GET", "/nothing-here", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(404), door)
			r, err = c.Do(ctx, "DELETE", "/pedidos", nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Status).To(Equal(405), door)
		}
	})
})

var _ = Describe("the known data set", Ordered, Label("deliveries"), func() {
	var ds fixtures.Dataset

	BeforeAll(func(ctx context.Context) {
		var err error
		ds, err = fixtures.KnownDataset()
		Expect(err).NotTo(HaveOccurred())
		Expect(ds.TimeZone).To(Equal(stack.TimeZone))
		for i, o := range ds.Orders {
			c := []*ld.Client{restAuthed, fnAuthed}[i%2]
			r := post(ctx, c, o)
			Expect(r.Status).To(Equal(200), string(r.Body))
		}
	})

	It("has metrics exactly as computed by hand, across day boundaries, ties and rounding", func(ctx context.Context) {
		for day, raw := range ds.Expected {
			var want map[string]any
			Expect(json.Unmarshal(raw, &want)).To(Succeed())
			for door, c := range map[string]*ld.Client{"REST API": restAuthed, "Function URL": fnAuthed} {
				got := metricsOf(ctx, c, day)
				Expect(got["fecha"]).To(Equal(day))
				Expect(got["zona_horaria"]).To(Equal(ds.TimeZone))
				delete(got, "fecha")
				delete(got, "zona_horaria")
				Expect(got).To(Equal(want), "%s, %s", door, day)
			}
		}
	})

	It("does not change when the whole set is posted again", func(ctx context.Context) {
		for _, o := range ds.Orders {
			r := post(ctx, fnAuthed, o)
			Expect(r.Status).To(Equal(200))
			Expect(string(r.Body)).To(ContainSubstring(`"duplicado":true`))
		}
		for day, raw := range ds.Expected {
			var want map[string]any
			Expect(json.Unmarshal(raw, &want)).To(Succeed())
			got := metricsOf(ctx, restAuthed, day)
			Expect(got["pedidos_dia"]).To(Equal(want["pedidos_dia"]), day)
			Expect(got["acumulado_ventas_dia"]).To(Equal(want["acumulado_ventas_dia"]), day)
		}
	})

	It("lists the orders newest first, as posted", func(ctx context.Context) {
		all, _, err := restAuthed.AllOrders(ctx, 50)
		Expect(err).NotTo(HaveOccurred())
		var seen []string
		byID := map[string]ld.Order{}
		for _, o := range all {
			if strings.HasPrefix(o.ID, "KNOWN-") {
				seen = append(seen, o.ID)
				byID[o.ID] = o
			}
		}
		Expect(seen).To(Equal(ds.NewestFirst))
		var first map[string]any
		Expect(json.Unmarshal(ds.Orders[0], &first)).To(Succeed())
		got := byID[first["pedido_id"].(string)]
		Expect(got.Timestamp).To(Equal(first["timestamp"]), "timestamps come back as posted")
		Expect(string(got.Courier.ID)).To(Equal("1"))
		Expect(got.Lines).To(HaveLen(3))
	})
})

var _ = Describe("more than 1 MB of orders", Ordered, Label("deliveries"), func() {
	const (
		day     = "2025-06-01"
		nOrders = 800
		nLines  = 10
	)
	posted := map[string]bool{}
	var sales big.Rat

	BeforeAll(func(ctx context.Context) {
		// ~1.7 KB per order: 800 orders are well past DynamoDB's 1 MB page.
		bodies := make(chan []byte)
		errs := make(chan error, nOrders)
		for range 8 {
			go func() {
				for b := range bodies {
					r, err := restAuthed.PostOrder(ctx, b)
					if err == nil && r.Status != 200 {
						err = fmt.Errorf("HTTP %d: %s", r.Status, r.Body)
					}
					errs <- err
				}
			}()
		}
		go func() {
			defer close(bodies)
			for i := range nOrders {
				id := fmt.Sprintf("MB-%04d", i)
				lines := make([]line, nLines)
				for j := range lines {
					price := fmt.Sprintf("%d.%02d", 1+(i*7+j)%50, (i+j)%100)
					lines[j] = line{fmt.Sprintf("SKU-%04d-%02d", i, j), fmt.Sprintf("Producto voluminoso %02d %s", j, strings.Repeat("·", 90)), json.Number(price)}
					p, _ := new(big.Rat).SetString(price)
					sales.Add(&sales, p)
				}
				posted[id] = true
				bodies <- orderBody(id, fmt.Sprintf("%sT%02d:%02d:%02d-05:00", day, 6+i/3600, (i/60)%60, i%60), lines...)
			}
		}()
		for range nOrders {
			Expect(<-errs).NotTo(HaveOccurred())
		}
	}, NodeTimeout(3*time.Minute))

	It("needs several DynamoDB pages", func(ctx context.Context) {
		// newest first, as the API reads: these orders are the last arrived
		out, err := ddb().Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(stack.Tables.Orders), IndexName: aws.String("por_fecha"), ScanIndexForward: aws.Bool(false),
			KeyConditionExpression:    aws.String("feed = :f"),
			ExpressionAttributeValues: map[string]dtypes.AttributeValue{":f": &dtypes.AttributeValueMemberS{Value: "pedidos"}},
			Limit:                     aws.Int32(1000),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.LastEvaluatedKey).NotTo(BeEmpty(), "a 1,000-item Query stops at 1 MB first")
		Expect(len(out.Items)).To(BeNumerically("<", nOrders))
		record("dynamodb items in the first 1 MB page", len(out.Items))
	})

	It("returns every order through the API, none dropped or repeated", func(ctx context.Context) {
		for door, c := range map[string]*ld.Client{"REST API": restAuthed, "Function URL": fnAuthed} {
			total := countOrders(ctx)
			first, err := c.Orders(ctx, 1000, "")
			Expect(err).NotTo(HaveOccurred())
			Expect(first.Count).To(Equal(min(1000, total)), "%s: one API page gathers several DynamoDB pages", door)
			all, pages, err := c.AllOrders(ctx, 1000)
			Expect(err).NotTo(HaveOccurred())
			seen := map[string]int{}
			for _, o := range all {
				seen[o.ID]++
			}
			for id := range posted {
				Expect(seen[id]).To(Equal(1), "%s: order %s", door, id)
			}
			Expect(len(all)).To(BeNumerically(">=", total), door)
			record("pages to list all orders ("+door+")", pages)
		}
	})

	It("counts every order in the day's metrics, to the cent", func(ctx context.Context) {
		m := metricsOf(ctx, restAuthed, day)
		Expect(m["pedidos_dia"]).To(BeEquivalentTo(nOrders))
		want, _ := sales.Float64()
		Expect(m["acumulado_ventas_dia"]).To(BeNumerically("~", want, 0.001))
		Expect(m["top_3_productos"]).To(HaveLen(3))
	})
})

// countOrders counts the orders table through its time index, page by page.
func countOrders(ctx context.Context) int {
	GinkgoHelper()
	n, err := storedOrders(ctx, ddb(), stack.Tables)
	Expect(err).NotTo(HaveOccurred())
	return n
}
