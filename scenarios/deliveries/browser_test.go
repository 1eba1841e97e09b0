package deliveries_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/groundstack/groundstack/scenarios/browser"
)

var _ = Describe("the dashboard", Ordered, Label("browser"), func() {
	var (
		b    *browser.Browser
		page *browser.Page
	)

	BeforeAll(func(ctx context.Context) {
		var err error
		b, err = browser.Launch(ctx)
		if errors.Is(err, browser.ErrNotInstalled) {
			Skip("headless Chromium is not installed (make test installs the Debian package chromium): " + err.Error())
		}
		Expect(err).NotTo(HaveOccurred())
	}, NodeTimeout(time.Minute))

	AfterAll(func() {
		if page != nil {
			page.Close()
		}
		if b != nil {
			b.Close()
		}
	})

	It("is served by the S3 website endpoint and logs in", func(ctx context.Context) {
		var err error
		page, err = b.NewPage(ctx, stack.DashboardURL)
		Expect(err).NotTo(HaveOccurred())
		var title string
		Expect(page.Evaluate(ctx, `document.title`, &title)).To(Succeed())
		Expect(title).To(ContainSubstring("Cargo Express"))
		Expect(page.Evaluate(ctx, fmt.Sprintf(`
			document.getElementById("username").value = %q;
			document.getElementById("password").value = %q;
			document.getElementById("login").requestSubmit();`, adminUser, adminPass), nil)).To(Succeed())
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err = page.WaitFor(wctx, `!document.getElementById("board").hidden && document.getElementById("status").textContent === "en vivo"`, 50*time.Millisecond)
		Expect(err).NotTo(HaveOccurred(), "the dashboard logs in and shows live data")
	}, NodeTimeout(time.Minute))

	It("shows an order posted through the API within the 10 s budget", func(ctx context.Context) {
		Expect(page).NotTo(BeNil())
		id := fmt.Sprintf("BROWSER-%d", time.Now().UnixNano())
		var before int
		Expect(page.Evaluate(ctx, `Number(document.getElementById("pedidos-dia").textContent)`, &before)).To(Succeed())
		r := post(ctx, restAuthed, orderBody(id, time.Now().Format(time.RFC3339Nano), line{1, "Moneda", 2.5}, line{7, "Reloj", 120}))
		Expect(r.Status).To(Equal(200), string(r.Body))
		accepted := r.At
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		seen, err := page.WaitFor(wctx, fmt.Sprintf(`document.querySelector('#pedidos tr[data-pedido-id=%q]')`, id), 100*time.Millisecond)
		Expect(err).NotTo(HaveOccurred(), "order %s on the page within 10 s", id)
		record("dashboard freshness (ms, 2 s polling page)", ms(seen.Sub(accepted)))
		var row string
		Expect(page.Evaluate(ctx, fmt.Sprintf(`document.querySelector('#pedidos tr[data-pedido-id=%q]').textContent`, id), &row)).To(Succeed())
		Expect(row).To(ContainSubstring("Ana Gómez"))
		Expect(row).To(ContainSubstring("122,5")) // es-CO number format
		var first struct {
			ID       string `json:"id"`
			Received string `json:"received"`
		}
		Expect(page.Evaluate(ctx, `(() => { const tr = document.querySelector('#pedidos tr');
			return {id: tr.dataset.pedidoId, received: tr.lastElementChild.textContent}; })()`, &first)).To(Succeed())
		Expect(first.ID).To(Equal(id), "the newest arrival is the first row")
		Expect(first.Received).NotTo(BeEmpty(), "with the server's receive time")
		_, err = page.WaitFor(wctx, fmt.Sprintf(`Number(document.getElementById("pedidos-dia").textContent) > %d`, before), 100*time.Millisecond)
		Expect(err).NotTo(HaveOccurred(), "the day's order count moved")
	}, NodeTimeout(time.Minute))

	It("serves the error document for unknown pages", func(ctx context.Context) {
		p, err := b.NewPage(ctx, stack.DashboardURL+"no-such-page.html")
		Expect(err).NotTo(HaveOccurred())
		defer p.Close()
		var text string
		Expect(p.Evaluate(ctx, `document.body.innerText`, &text)).To(Succeed())
		Expect(text).To(ContainSubstring("Esta página no existe"))
	}, NodeTimeout(time.Minute))

	It("works on {bucket}.s3-website.localhost (Chromium resolves it to loopback), calling the API cross-origin", func(ctx context.Context) {
		host, err := url.Parse(stack.DashboardHostURL)
		Expect(err).NotTo(HaveOccurred())
		short := "http://" + strings.Replace(host.Host, ".localhost.localstack.cloud", ".localhost", 1) + "/"
		p, err := b.NewPage(ctx, short)
		Expect(err).NotTo(HaveOccurred(), short)
		defer p.Close()
		var title string
		Expect(p.Evaluate(ctx, `document.title`, &title)).To(Succeed())
		Expect(title).To(ContainSubstring("Cargo Express"), short)
		// The API is on another origin here: login and polling need CORS
		// (preflights reach the function through the REST API's ANY method).
		Expect(p.Evaluate(ctx, fmt.Sprintf(`
			document.getElementById("username").value = %q;
			document.getElementById("password").value = %q;
			document.getElementById("login").requestSubmit();`, adminUser, adminPass), nil)).To(Succeed())
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_, err = p.WaitFor(wctx, `document.getElementById("status").textContent === "en vivo" && document.querySelectorAll("#pedidos tr").length > 0`, 50*time.Millisecond)
		Expect(err).NotTo(HaveOccurred(), "cross-origin dashboard at %s", short)
		record("dashboard short host URL", short)
	}, NodeTimeout(time.Minute))
})
