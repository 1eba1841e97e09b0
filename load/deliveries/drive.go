package deliveries

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	fixtures "github.com/groundstack/groundstack/fixtures/deliveries"
	"github.com/groundstack/groundstack/load/freshness"
)

// Generator makes orders as the original load script did: 1 to 10 random
// products of the catalogue, a courier, the current time.
type Generator struct {
	prefix    string
	catalogue []fixtures.Product
	couriers  []fixtures.Courier
	seq       atomic.Int64
	mu        sync.Mutex
	rng       *rand.Rand
}

// NewGenerator returns a generator whose order IDs start with prefix
// (unique per run) and whose choices follow seed.
func NewGenerator(prefix string, seed uint64) (*Generator, error) {
	cat, err := fixtures.Catalogue()
	if err != nil {
		return nil, err
	}
	cs, err := fixtures.Couriers()
	if err != nil {
		return nil, err
	}
	return &Generator{prefix: prefix, catalogue: cat, couriers: cs, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, nil
}

type wireLine struct {
	ID    json.RawMessage `json:"IdProducto"`
	Name  string          `json:"producto"`
	Price json.Number     `json:"precio"`
}

type wireOrder struct {
	ID      string `json:"pedido_id"`
	Courier struct {
		ID   json.RawMessage `json:"IdRepartidor"`
		Name string          `json:"Nombre"`
	} `json:"repartidor"`
	Lines     []wireLine `json:"productos"`
	Timestamp string     `json:"timestamp"`
}

// Next returns a new order delivered at at by courier number courier.
func (g *Generator) Next(at time.Time, courier int) (id string, body []byte) {
	id = fmt.Sprintf("%s-%06d", g.prefix, g.seq.Add(1))
	var o wireOrder
	o.ID = id
	if courier < len(g.couriers) {
		o.Courier.ID, o.Courier.Name = g.couriers[courier].ID, g.couriers[courier].Name
	} else {
		o.Courier.ID, o.Courier.Name = json.RawMessage(strconv.Itoa(courier+1)), fmt.Sprintf("Repartidor %d", courier+1)
	}
	g.mu.Lock()
	n := 1 + g.rng.IntN(10)
	for range n {
		p := g.catalogue[g.rng.IntN(len(g.catalogue))]
		o.Lines = append(o.Lines, wireLine{ID: p.ID, Name: p.Name, Price: p.Price})
	}
	g.mu.Unlock()
	o.Timestamp = at.Format(time.RFC3339Nano)
	body, _ = json.Marshal(o)
	return id, body
}

// DriveOptions shape an open-loop run.
type DriveOptions struct {
	// Rate is orders per second (the original: 0.2, one every 5 s).
	Rate float64
	// Duration of the run.
	Duration time.Duration
	// Couriers post concurrently (each courier one request at a time).
	Couriers int
}

// DriveResult counts what a run sent.
type DriveResult struct {
	Intended int
	Sent     int
	// Late counts sends that waited for a free courier longer than one
	// interval: the run fell behind its schedule.
	Late     int
	ByStatus map[int]int
	Errors   int
	LastErr  string
}

// Drive posts orders on a fixed schedule (open loop: the schedule does not
// wait for answers) through Couriers concurrent couriers, stamping each
// 2xx into probe.
func Drive(ctx context.Context, c *Client, g *Generator, o DriveOptions, probe *freshness.Probe) DriveResult {
	if o.Couriers <= 0 {
		o.Couriers = 1
	}
	interval := time.Duration(float64(time.Second) / o.Rate)
	res := DriveResult{ByStatus: map[int]int{}, Intended: int(o.Duration / interval)}
	var mu sync.Mutex
	work := make(chan struct{})
	var wg sync.WaitGroup
	for courier := range o.Couriers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				id, body := g.Next(time.Now(), courier)
				r, err := c.PostOrder(ctx, body)
				mu.Lock()
				switch {
				case err != nil:
					res.Errors++
					res.LastErr = err.Error()
				default:
					res.ByStatus[r.Status]++
					if r.Status >= 300 {
						res.LastErr = fmt.Sprintf("HTTP %d: %s", r.Status, r.Body)
					}
				}
				mu.Unlock()
				if probe == nil {
					continue
				}
				if err == nil && r.Status/100 == 2 {
					probe.Accepted(id, r.At)
				} else {
					probe.Failed()
				}
			}
		}()
	}
	start := time.Now()
	for i := 0; i < res.Intended; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
				i = res.Intended
				continue
			case <-time.After(d):
			}
		}
		select {
		case work <- struct{}{}:
		case <-ctx.Done():
			i = res.Intended
			continue
		}
		if time.Since(due) > interval {
			res.Late++
		}
		res.Sent++
	}
	close(work)
	wg.Wait()
	return res
}
