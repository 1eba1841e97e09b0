package sns

import "strconv"

// ---- SMS

// smsAttributes are the account's SMS settings SetSMSAttributes takes.
var smsAttributes = map[string]bool{
	"MonthlySpendLimit": true, "DeliveryStatusIAMRole": true, "DeliveryStatusSuccessSamplingRate": true,
	"DefaultSenderID": true, "DefaultSMSType": true, "UsageReportS3Bucket": true,
}

// SetSMSAttributes sets the account's SMS settings.
func (s *Store) SetSMSAttributes(attrs map[string]string) error {
	for k, v := range attrs {
		if !smsAttributes[k] {
			return errInvalidParameter.New("Invalid parameter: " + k)
		}
		switch k {
		case "DefaultSMSType":
			if v != "Promotional" && v != "Transactional" {
				return errInvalidParameter.New("Invalid parameter: DefaultSMSType Reason: " + v + " is not a valid SMS type")
			}
		case "MonthlySpendLimit", "DeliveryStatusSuccessSamplingRate":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || k == "DeliveryStatusSuccessSamplingRate" && n > 100 {
				return errInvalidParameter.New("Invalid parameter: " + k)
			}
		}
	}
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range attrs {
		p.smsAttrs[k] = v
	}
	return nil
}

// SMSAttributes returns the named settings that are set (all when names is
// empty).
func (s *Store) SMSAttributes(names []string) map[string]string {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(names) == 0 {
		return copyMap(p.smsAttrs)
	}
	out := map[string]string{}
	for _, n := range names {
		if v, ok := p.smsAttrs[n]; ok {
			out[n] = v
		}
	}
	return out
}

// OptOut records that a phone number replied STOP (AWS learns it from the
// carrier; here the developer endpoint says so).
func (s *Store) OptOut(phone string) {
	p := &s.platform
	p.mu.Lock()
	p.optedOut[phone] = true
	p.mu.Unlock()
}

// OptIn forgets an opt-out.
func (s *Store) OptIn(phone string) {
	p := &s.platform
	p.mu.Lock()
	delete(p.optedOut, phone)
	p.mu.Unlock()
}

// OptedOut reports whether a phone number opted out.
func (s *Store) OptedOut(phone string) bool {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.optedOut[phone]
}

// ListOptedOut lists opted-out numbers.
func (s *Store) ListOptedOut(after string) ([]string, string) {
	p := &s.platform
	p.mu.Lock()
	keys := make([]string, 0, len(p.optedOut))
	for k := range p.optedOut {
		keys = append(keys, k)
	}
	p.mu.Unlock()
	return page(keys, after, listPage)
}

// CreateSandboxNumber adds a destination to the SMS sandbox, pending until
// verified with the one-time password it returns (which SNS would text).
func (s *Store) CreateSandboxNumber(phone string) (otp string, err error) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.optedOut[phone] {
		return "", errOptedOut.New(msgOptedOut)
	}
	if n, ok := p.sandbox[phone]; ok && n.status == "Verified" {
		return "", errUserError.New(msgSandboxVerified)
	}
	otp = otpFrom(s.newID())
	p.sandbox[phone] = &sandboxNumber{phone: phone, status: "Pending", otp: otp}
	return otp, nil
}

// otpFrom makes a six-digit password out of an ID.
func otpFrom(id string) string {
	var n uint32
	for _, c := range id {
		n = n*31 + uint32(c)
	}
	return strconv.Itoa(100000 + int(n%900000))
}

// VerifySandboxNumber verifies a pending destination.
func (s *Store) VerifySandboxNumber(phone, otp string) error {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	n, ok := p.sandbox[phone]
	if !ok {
		return errResourceNotFound.New(msgSandboxNotFound)
	}
	if n.status == "Verified" {
		return nil
	}
	if otp != n.otp {
		return errVerification.New(msgInvalidOTP)
	}
	n.status = "Verified"
	return nil
}

// DeleteSandboxNumber removes a destination from the sandbox.
func (s *Store) DeleteSandboxNumber(phone string) error {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.sandbox[phone]; !ok {
		return errResourceNotFound.New(msgSandboxNotFound)
	}
	delete(p.sandbox, phone)
	return nil
}

// SandboxNumbers lists the sandbox's destinations and their status.
func (s *Store) SandboxNumbers(after string, n int) ([][2]string, string) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]string, 0, len(p.sandbox))
	for k := range p.sandbox {
		keys = append(keys, k)
	}
	keys, next := page(keys, after, n)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, p.sandbox[k].status}
	}
	return out, next
}
