package deliveries_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	ld "github.com/groundstack/groundstack/load/deliveries"
)

// The server's clock, not the client's timestamp, decides what "newest"
// means; the timestamp decides the day an order counts on, unless it is
// ahead of the server (then the receive time does), and one too far ahead
// is refused.
var _ = Describe("timestamps and the server's clock", Label("deliveries", "timestamps"), func() {
	var zone *time.Location
	BeforeEach(func() {
		var err error
		zone, err = time.LoadLocation(stack.TimeZone)
		Expect(err).NotTo(HaveOccurred())
	})
	seq := 0
	newID := func(what string) string {
		seq++
		return fmt.Sprintf("TS-%s-%d-%d", what, time.Now().UnixNano(), seq)
	}
	type answer struct {
		Duplicate bool      `json:"duplicado"`
		Day       string    `json:"dia"`
		Timestamp string    `json:"timestamp"`
		Received  time.Time `json:"recibido"`
	}
	postOK := func(ctx context.Context, c *ld.Client, body []byte) answer {
		GinkgoHelper()
		r := post(ctx, c, body)
		Expect(r.Status).To(Equal(200), string(r.Body))
		var a answer
		Expect(json.Unmarshal(r.Body, &a)).To(Succeed())
		return a
	}
	newest := func(ctx context.Context, n int) []ld.Order {
		GinkgoHelper()
		p, err := restAuthed.Orders(ctx, n, "")
		Expect(err).NotTo(HaveOccurred())
		return p.Orders
	}
	ordersOn := func(ctx context.Context, day string) int64 {
		GinkgoHelper()
		m, _, err := restAuthed.Metrics(ctx, day)
		Expect(err).NotTo(HaveOccurred())
		return m.Orders
	}

	It("refuses a timestamp more than 5 minutes ahead with 422 and the reason, and stores nothing", func(ctx context.Context) {
		for door, c := range frontDoors() {
			c = c.WithToken(restAuthed.Token)
			for _, ts := range []string{time.Now().Add(6 * time.Minute).Format(time.RFC3339), "2099-12-31T23:59:59Z"} {
				id := newID("FUTURE")
				r := post(ctx, c, orderBody(id, ts, line{1, "Moneda", 2.5}))
				Expect(r.Status).To(Equal(422), "%s, %s: %s", door, ts, r.Body)
				var m struct {
					Detail []struct {
						Loc  []any  `json:"loc"`
						Msg  string `json:"msg"`
						Type string `json:"type"`
					} `json:"detail"`
				}
				Expect(json.Unmarshal(r.Body, &m)).To(Succeed())
				Expect(m.Detail).To(HaveLen(1))
				Expect(m.Detail[0].Loc).To(Equal([]any{"body", "timestamp"}))
				Expect(m.Detail[0].Type).To(Equal("datetime_future"))
				Expect(m.Detail[0].Msg).To(ContainSubstring("5m0s ahead of the server's clock"))
				Expect(storedOrder(ctx, id)).To(BeNil())
			}
		}
	})

	It("lists by arrival: an order stamped 2 hours ago is the newest, one stamped a little ahead does not jump the queue", func(ctx context.Context) {
		now := time.Now()
		ahead, onTime, late := newID("AHEAD"), newID("ONTIME"), newID("LATE")
		postOK(ctx, restAuthed, orderBody(ahead, now.Add(3*time.Minute).Format(time.RFC3339Nano), line{1, "Moneda", 2.5}))
		postOK(ctx, fnAuthed, orderBody(onTime, now.Format(time.RFC3339Nano), line{1, "Moneda", 2.5}))
		lateAt := now.Add(-2 * time.Hour)
		a := postOK(ctx, restAuthed, orderBody(late, lateAt.Format(time.RFC3339Nano), line{1, "Moneda", 2.5}))
		Expect(a.Day).To(Equal(lateAt.In(zone).Format("2006-01-02")), "an order counts on the day it was delivered")
		got := newest(ctx, 3)
		Expect([]string{got[0].ID, got[1].ID, got[2].ID}).To(Equal([]string{late, onTime, ahead}))
		Expect(got[0].Timestamp).To(Equal(lateAt.Format(time.RFC3339Nano)), "the timestamp is listed as sent")
		received, err := time.Parse(time.RFC3339Nano, got[0].Received)
		Expect(err).NotTo(HaveOccurred())
		Expect(received).To(BeTemporally("~", time.Now(), 5*time.Second), "recibido is the server's clock")
	})

	It("fills a missing timestamp with the server's time, and a repost without one is the same order", func(ctx context.Context) {
		id := newID("NOTS")
		body, err := json.Marshal(map[string]any{
			"pedido_id":  id,
			"repartidor": map[string]any{"IdRepartidor": 1, "Nombre": "Ana Gómez"},
			"productos":  []line{{1, "Moneda", 2.5}, {2, "Billete", 10}},
		})
		Expect(err).NotTo(HaveOccurred())
		today := time.Now().In(zone).Format("2006-01-02")
		before := ordersOn(ctx, today)
		sent := time.Now()
		a := postOK(ctx, restAuthed, body)
		Expect(a.Duplicate).To(BeFalse())
		at, err := time.Parse(time.RFC3339Nano, a.Timestamp)
		Expect(err).NotTo(HaveOccurred(), a.Timestamp)
		Expect(at).To(BeTemporally("~", sent, 5*time.Second))
		Expect(at.Equal(a.Received)).To(BeTrue(), "delivered when received: %s, %s", a.Timestamp, a.Received)
		Expect(a.Day).To(Equal(at.In(zone).Format("2006-01-02")))

		Expect(newest(ctx, 1)[0].ID).To(Equal(id))
		Expect(newest(ctx, 1)[0].Timestamp).To(Equal(a.Timestamp), "listed with the server's timestamp")

		again := postOK(ctx, fnAuthed, body)
		Expect(again.Duplicate).To(BeTrue(), "the same order posted again, later, is not a conflict")
		if a.Day == today {
			Expect(ordersOn(ctx, today)).To(Equal(before+1), "counted once, today")
		}
	})

	It("counts a late order on the day it was delivered, not the day it arrived", func(ctx context.Context) {
		yesterday := time.Now().In(zone).AddDate(0, 0, -1)
		delivered := time.Date(yesterday.Year(), yesterday.Month(), yesterday.Day(), 18, 30, 0, 0, zone)
		day, today := delivered.Format("2006-01-02"), time.Now().In(zone).Format("2006-01-02")
		beforeDay, beforeToday := ordersOn(ctx, day), ordersOn(ctx, today)
		a := postOK(ctx, restAuthed, orderBody(newID("YESTERDAY"), delivered.Format(time.RFC3339), line{1, "Moneda", 2.5}))
		Expect(a.Day).To(Equal(day))
		Expect(ordersOn(ctx, day)).To(Equal(beforeDay + 1))
		Expect(ordersOn(ctx, today)).To(Equal(beforeToday))
	})
})
