package awsproto

// Check runs the checks the API makes on a decoded input (the constraints
// its tags declare, then its Validate method) for a hot path that takes the
// raw body and decodes it itself.
func (a *API) Check(in any) error { return a.validate(in) }
