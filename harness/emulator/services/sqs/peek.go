package sqs

// Peek returns up to max of the messages of the queue called name in
// region, oldest enqueued first, as they stand (visible, delayed or in
// flight), without receiving them: receive counts, visibility and receipt
// handles are unchanged. It is for the console, which shows a queue's
// messages without consuming them; AWS has no such call. total is how
// many messages the queue holds.
func (s *Service) Peek(region, name string, max int) (msgs []MessageState, total int, err error) {
	q, err := s.store.Queue(region, name)
	if err != nil {
		return nil, 0, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.advance(s.env.Now())
	msgs = []MessageState{}
	for m := q.age.head; m != nil; m = m.age.next {
		if len(msgs) < max {
			msgs = append(msgs, m.saved())
		}
		total++
	}
	return msgs, total, nil
}
