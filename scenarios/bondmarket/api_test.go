package bondmarket_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
	deploy "github.com/groundstack/groundstack/harness/deploy/bondmarket"
	"github.com/groundstack/groundstack/harness/payments"
)

var _ = Describe("No overselling", Label("bondmarket"), func() {
	It("sells exactly 50 bonds to 100 concurrent buyers and tells the other 50 why", func(ctx SpecContext) {
		id := fixtureID("oversell")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 50, Price: 1000})
		type result struct {
			status int
			msg    string
		}
		results := make(chan result, 100)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				a := call(ctx, "POST", "/requests", order(id, fmt.Sprintf("buyer-%d", i), 1))
				results <- result{a.Status, a.Str("message")}
			}()
		}
		wg.Wait()
		close(results)
		record("100 buyers on 50 bonds (s)", time.Since(start).Seconds())
		counts := map[int]int{}
		for r := range results {
			counts[r.status]++
			if r.status != 201 {
				Expect(r.msg).To(Equal("not enough bonds"), "a refused buyer must be told why")
			}
		}
		Expect(counts).To(Equal(map[int]int{201: 50, 404: 50}))
		f := getFixture(ctx, id)
		Expect(f.Available).To(BeZero())
		Expect(f.Sold).To(Equal(int64(50)))
	}, SpecTimeout(3*time.Minute))
})

var _ = Describe("Requests API", Label("bondmarket"), func() {
	It("creates internal and external requests, pages them, and answers 400, 404 and 409", func(ctx SpecContext) {
		id := fixtureID("routes")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 10})
		user := "pager-" + id
		var made []string
		for range 3 {
			a := call(ctx, "POST", "/requests", order(id, user, 1))
			Expect(a.Status).To(Equal(201), a.Raw)
			Expect(a.Str("request_id")).To(MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`))
			Expect(a.Str("status")).To(Equal("pending"))
			Expect(a.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
			made = append(made, a.Str("request_id"))
		}
		page := call(ctx, "GET", "/requests?user_id="+user+"&count=2&page=1", nil)
		Expect(page.Status).To(Equal(200), page.Raw)
		Expect(page.Body).To(HaveKeyWithValue("total", BeEquivalentTo(3)))
		Expect(page.Body).To(HaveKeyWithValue("page", BeEquivalentTo(1)))
		Expect(page.Body).To(HaveKeyWithValue("count", BeEquivalentTo(2)))
		Expect(page.Body["requests"]).To(HaveLen(2))
		Expect(page.Body["requests"].([]any)[0]).To(HaveKeyWithValue("request_id", made[2]), "newest first")
		last := call(ctx, "GET", "/requests?user_id="+user+"&count=2&page=2", nil)
		Expect(last.Body["requests"]).To(HaveLen(1))
		Expect(call(ctx, "GET", "/requests?user_id="+user+"&status=accepted", nil).Body).To(HaveKeyWithValue("total", BeEquivalentTo(0)))

		got := call(ctx, "GET", "/requests/"+made[0], nil)
		Expect(got.Status).To(Equal(200))
		Expect(got.Body).To(HaveKeyWithValue("user_id", user))
		Expect(call(ctx, "GET", "/requests/no-such-request", nil).Status).To(Equal(404))

		ext := map[string]any{"group_id": 7, "fixture_id": id, "request_id": "ext-" + id, "quantity": 2, "user_id": "g7"}
		Expect(call(ctx, "POST", "/requests", ext).Status).To(Equal(201))
		dup := call(ctx, "POST", "/requests", ext)
		Expect(dup.Status).To(Equal(409), dup.Raw)
		Expect(dup.Str("message")).To(Equal("duplicate request_id"))
		Expect(getFixture(ctx, id).Available).To(Equal(int64(5)), "3 internal + 2 external, the duplicate took none")

		nf := call(ctx, "POST", "/requests", order("no-such-fixture", user, 1))
		Expect(nf.Status).To(Equal(404))
		Expect(nf.Str("message")).To(Equal("fixture not found"))
		for name, body := range map[string]any{
			"not JSON":            "{oops",
			"quantity 0":          order(id, user, 0),
			"no user (internal)":  map[string]any{"group_id": "15", "fixture_id": id, "quantity": 1},
			"external without id": map[string]any{"group_id": "3", "fixture_id": id, "quantity": 1},
		} {
			a := call(ctx, "POST", "/requests", body)
			Expect(a.Status).To(Equal(400), "%s: %s", name, a.Raw)
			Expect(a.Str("message")).NotTo(BeEmpty(), name)
		}
		for _, q := range []string{"count=26", "count=0", "page=0", "page=two"} {
			a := call(ctx, "GET", "/requests?"+q, nil)
			Expect(a.Status).To(Equal(400), "%s: %s", q, a.Raw)
		}
		Expect(call(ctx, "GET", "/nowhere", nil).Status).To(Equal(404))
	}, SpecTimeout(2*time.Minute))
})

var _ = Describe("Validation", Label("bondmarket"), func() {
	It("accepts once, and a rejection returns the bonds once however often it comes", func(ctx SpecContext) {
		id := fixtureID("validate")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 10})
		a := call(ctx, "POST", "/requests", order(id, "val-"+id, 4))
		Expect(a.Status).To(Equal(201))
		req := a.Str("request_id")
		Expect(getFixture(ctx, id).Available).To(Equal(int64(6)))
		var wg sync.WaitGroup
		changed := make(chan bool, 5)
		for range 5 {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				v := call(ctx, "PATCH", "/requests/validate", map[string]any{"request_id": req, "group_id": "15", "seller": 0, "valid": false})
				Expect(v.Status).To(Equal(200), v.Raw)
				changed <- v.Body["changed"] == true
			}()
		}
		wg.Wait()
		close(changed)
		n := 0
		for c := range changed {
			if c {
				n++
			}
		}
		Expect(n).To(Equal(1), "exactly one of five concurrent rejections changes the request")
		f := getFixture(ctx, id)
		Expect(f.Available).To(Equal(int64(10)))
		Expect(f.Sold).To(BeZero())
		Expect(call(ctx, "GET", "/requests/"+req, nil).Body).To(HaveKeyWithValue("status", "rejected"))
		again := call(ctx, "PATCH", "/requests/validate", map[string]any{"request_id": req, "valid": true})
		Expect(again.Status).To(Equal(409), again.Raw)
		Expect(call(ctx, "PATCH", "/requests/validate", map[string]any{"request_id": "nope", "valid": true}).Status).To(Equal(404))
		Expect(call(ctx, "PATCH", "/requests/validate", map[string]any{"request_id": req}).Status).To(Equal(400))
	}, SpecTimeout(2*time.Minute))

	It("computes recommendations in the background after an acceptance (SQS event source mapping)", func(ctx SpecContext) {
		bought, other := fixtureID("recbought"), fixtureID("recother")
		putFixture(ctx, market.Fixture{FixtureID: bought, Available: 5, LeagueName: "Rec League " + bought, Date: "2027-06-01"})
		putFixture(ctx, market.Fixture{FixtureID: other, Available: 5, LeagueName: "Rec League " + bought, Date: "2027-06-08"})
		user := "rec-" + bought
		a := call(ctx, "POST", "/requests", order(bought, user, 1))
		Expect(a.Status).To(Equal(201))
		Expect(call(ctx, "PATCH", "/requests/validate", map[string]any{"request_id": a.Str("request_id"), "valid": true}).Status).To(Equal(200))
		Eventually(func(g Gomega) {
			r := call(ctx, "GET", "/recommendations?user_id="+user, nil)
			g.Expect(r.Status).To(Equal(200))
			g.Expect(r.Body["recommendations"]).To(ContainElement(HaveKeyWithValue("fixture_id", other)))
		}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
	}, SpecTimeout(time.Minute))
})

var _ = Describe("Wallet", Label("bondmarket"), func() {
	It("never goes negative: paying by wallet debits and reserves in one transaction", func(ctx SpecContext) {
		id := fixtureID("wallet")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 20, Price: 1000})
		user := "wallet-" + id
		Expect(call(ctx, "GET", "/users/wallet?id="+user, nil).Status).To(Equal(404))
		top := call(ctx, "PUT", "/users/wallet", map[string]any{"user_id": user, "amount": 3500})
		Expect(top.Status).To(Equal(200), top.Raw)
		Expect(top.Body).To(HaveKeyWithValue("billetera", BeEquivalentTo(3500)))
		pay := func(q int) answer {
			b := order(id, user, q)
			b["payment"] = "wallet"
			return call(ctx, "POST", "/requests", b)
		}
		tooMuch := pay(4)
		Expect(tooMuch.Status).To(Equal(400), tooMuch.Raw)
		Expect(tooMuch.Str("message")).To(Equal("not enough money in the wallet"))
		Expect(getFixture(ctx, id).Available).To(Equal(int64(20)), "a refused payment reserves nothing")
		var wg sync.WaitGroup
		won := make(chan int, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				won <- pay(1).Status
			}()
		}
		wg.Wait()
		close(won)
		n := 0
		for s := range won {
			if s == 201 {
				n++
			}
		}
		Expect(n).To(Equal(3))
		Expect(call(ctx, "GET", "/users/wallet?id="+user, nil).Body).To(HaveKeyWithValue("billetera", BeEquivalentTo(500)))
		Expect(getFixture(ctx, id).Available).To(Equal(int64(17)))
		for _, bad := range []any{map[string]any{"user_id": user, "amount": -100}, map[string]any{"user_id": user}, "nope"} {
			Expect(call(ctx, "PUT", "/users/wallet", bad).Status).To(Equal(400))
		}
		Expect(call(ctx, "GET", "/users/wallet", nil).Status).To(Equal(400))
	}, SpecTimeout(2*time.Minute))
})

var _ = Describe("Card payments", Label("bondmarket"), func() {
	buyWith := func(ctx context.Context, id, card string) string {
		b := order(id, "card-"+id, 2)
		b["deposit_token"] = card
		a := call(ctx, "POST", "/requests", b)
		Expect(a.Status).To(Equal(201), a.Raw)
		return a.Str("request_id")
	}

	It("accepts an approved card, rejects a rejected one (bonds back), and answers 504 when the gateway hangs", func(ctx SpecContext) {
		needGateway()
		id := fixtureID("webpay")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 10, Price: 1500})
		ok := buyWith(ctx, id, payments.CardApprove)
		created := call(ctx, "POST", "/webpay/create", map[string]any{"request_id": ok, "quantity": 2})
		Expect(created.Status).To(Equal(200), created.Raw)
		Expect(created.Str("url")).To(HavePrefix(stack.PaymentsURL))
		Expect(created.Str("token")).NotTo(BeEmpty())
		page, err := http.Get(created.Str("url"))
		Expect(err).NotTo(HaveOccurred())
		page.Body.Close()
		Expect(page.StatusCode).To(Equal(200), "the gateway's payment page")
		Expect(call(ctx, "GET", "/requests/"+ok, nil).Body).To(HaveKeyWithValue("status", "pending payment"))
		commit := call(ctx, "POST", "/webpay/commit", map[string]any{"token": created.Str("token")})
		Expect(commit.Status).To(Equal(200), commit.Raw)
		Expect(commit.Body).To(HaveKeyWithValue("status", "accepted"))
		Expect(call(ctx, "GET", "/requests/"+ok, nil).Body).To(HaveKeyWithValue("status", "accepted"))

		bad := buyWith(ctx, id, payments.CardReject)
		created = call(ctx, "POST", "/webpay/create", map[string]any{"request_id": bad})
		commit = call(ctx, "POST", "/webpay/commit", map[string]any{"token": created.Str("token")})
		Expect(commit.Body).To(HaveKeyWithValue("status", "rejected"))
		f := getFixture(ctx, id)
		Expect(f.Available).To(Equal(int64(8)))
		Expect(f.Sold).To(Equal(int64(2)))

		slow := buyWith(ctx, id, payments.CardTimeout)
		created = call(ctx, "POST", "/webpay/create", map[string]any{"request_id": slow})
		commit = call(ctx, "POST", "/webpay/commit", map[string]any{"token": created.Str("token")})
		Expect(commit.Status).To(Equal(504), commit.Raw)
		Expect(call(ctx, "GET", "/requests/"+slow, nil).Body).To(HaveKeyWithValue("status", "pending payment"))

		Expect(call(ctx, "POST", "/webpay/create", map[string]any{"request_id": "nope"}).Status).To(Equal(404))
		Expect(call(ctx, "POST", "/webpay/create", map[string]any{"request_id": ok}).Status).To(Equal(409))
		Expect(call(ctx, "POST", "/webpay/create", map[string]any{"request_id": slow, "quantity": 5}).Status).To(Equal(400))
		Expect(call(ctx, "POST", "/webpay/commit", map[string]any{"token": "no-such-token"}).Status).To(Equal(404))
		Expect(call(ctx, "POST", "/webpay/commit", "{}").Status).To(Equal(400))
	}, SpecTimeout(2*time.Minute))
})

// expectReceiptAccessLogged waits for the logs bucket to hold the access
// log lines of the receipt's upload (by the function) and its download
// (through the presigned URL): S3 server access logging of the receipts
// bucket, as the original's infrastructure had it.
func expectReceiptAccessLogged(ctx context.Context, key string) {
	GinkgoHelper()
	for _, n := range stack.Notes {
		if strings.Contains(n, "access logging") {
			Skip("this cloud has no S3 server access logging: " + n)
		}
	}
	c := s3.NewFromConfig(cloud.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	escaped := (&url.URL{Path: key}).EscapedPath()
	Eventually(func(g Gomega) {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &stack.LogsBucket, Prefix: aws.String(deploy.ReceiptsAccessLogPrefix)})
		g.Expect(err).NotTo(HaveOccurred())
		var logs strings.Builder
		for _, o := range out.Contents {
			obj, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &stack.LogsBucket, Key: o.Key})
			g.Expect(err).NotTo(HaveOccurred())
			b, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			logs.Write(b)
		}
		g.Expect(logs.String()).To(MatchRegexp(` %s \[[^\]]+\] \S+ \S+ \S+ REST\.PUT\.OBJECT %s "PUT [^"]+" 200 `, regexp.QuoteMeta(stack.ReceiptsBucket), regexp.QuoteMeta(escaped)))
		g.Expect(logs.String()).To(MatchRegexp(` %s \[[^\]]+\] \S+ \S+ \S+ REST\.GET\.OBJECT %s "GET [^"]+" 200 `, regexp.QuoteMeta(stack.ReceiptsBucket), regexp.QuoteMeta(escaped)))
	}).WithContext(ctx).WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).Should(Succeed())
}

var _ = Describe("Receipts", Label("bondmarket"), func() {
	It("renders a PDF receipt to S3 behind a presigned URL that works, with CORS headers", func(ctx SpecContext) {
		id := fixtureID("receipt")
		putFixture(ctx, market.Fixture{FixtureID: id, Available: 5, Price: 1200, LeagueName: "Primera División"})
		body := order(id, "receipt-user", 3)
		body["league_name"] = "Primera División" // Latin-1 text survives the PDF's core fonts
		a := call(ctx, "POST", "/requests", body)
		Expect(a.Status).To(Equal(201), a.Raw)
		req := a.Str("request_id")
		r := call(ctx, "POST", "/receipts/"+req, nil)
		Expect(r.Status).To(Equal(201), r.Raw)
		Expect(r.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
		Expect(r.Str("key")).To(Equal(market.ReceiptKey(req)))
		resp, err := http.Get(r.Str("url"))
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(200))
		Expect(resp.Header.Get("Content-Type")).To(Equal("application/pdf"))
		doc, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(doc[:5])).To(Equal("%PDF-"))
		Expect(call(ctx, "POST", "/receipts/no-such-request", nil).Status).To(Equal(404))
		expectReceiptAccessLogged(ctx, market.ReceiptKey(req))

		if _, err := exec.LookPath("pdftotext"); err != nil {
			Skip("pdftotext is not installed (make deps installs poppler-utils): the receipt's text is not checked")
		}
		cmd := exec.CommandContext(ctx, "pdftotext", "-", "-")
		cmd.Stdin = strings.NewReader(string(doc))
		text, err := cmd.Output()
		Expect(err).NotTo(HaveOccurred())
		Expect(string(text)).To(And(ContainSubstring("Bond receipt"), ContainSubstring(req), ContainSubstring(id),
			ContainSubstring("3 bonds"), ContainSubstring("3600"), ContainSubstring("Primera División"), ContainSubstring("receipt-user")))
	}, SpecTimeout(time.Minute))
})
