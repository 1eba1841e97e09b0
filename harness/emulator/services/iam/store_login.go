package iam

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// PasswordPolicy is the account's password policy.
type PasswordPolicy struct {
	MinimumLength                      int
	RequireSymbols, RequireNumbers     bool
	RequireUppercase, RequireLowercase bool
	AllowUsersToChange                 bool
	MaxAge                             int // days; 0: passwords do not expire
	ReusePrevention                    int // how many earlier passwords may not come back; 0: any
	HardExpiry                         bool
}

// passwordCost is bcrypt's work factor for console passwords: its default,
// so a store dump never gives passwords away cheaply.
var passwordCost = bcrypt.DefaultCost

// symbols are the characters AWS counts as symbols in a password.
const symbols = "!@#$%^&*()_+-=[]{}|'"

// check applies the policy to a new password.
func (p *PasswordPolicy) check(password string) error {
	min := 8 // IAM's default policy: 8 characters
	if p != nil {
		min = p.MinimumLength
	}
	if len([]rune(password)) < min {
		return errPasswordPolicy.New("Password should have a minimum length of " + strconv.Itoa(min))
	}
	if p == nil {
		return nil
	}
	rules := []struct {
		on   bool
		ok   func(rune) bool
		what string
	}{
		{p.RequireUppercase, unicode.IsUpper, "at least one uppercase letter"},
		{p.RequireLowercase, unicode.IsLower, "at least one lowercase letter"},
		{p.RequireNumbers, unicode.IsDigit, "at least one number"},
		{p.RequireSymbols, func(r rune) bool { return strings.ContainsRune(symbols, r) }, "at least one symbol"},
	}
	for _, r := range rules {
		if r.on && strings.IndexFunc(password, r.ok) < 0 {
			return errPasswordPolicy.New("Password should have " + r.what)
		}
	}
	return nil
}

func hashPassword(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), passwordCost)
}

// UpdatePasswordPolicy sets the account's password policy.
func (s *Store) UpdatePasswordPolicy(p PasswordPolicy) {
	s.mu.Lock()
	s.passwordPolicy = &p
	s.mu.Unlock()
}

// GetPasswordPolicy returns the account's password policy.
func (s *Store) GetPasswordPolicy() (PasswordPolicy, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.passwordPolicy == nil {
		return PasswordPolicy{}, errNoSuchEntity.New("The Password Policy with domain name " + s.account + " cannot be found.")
	}
	return *s.passwordPolicy, nil
}

// DeletePasswordPolicy goes back to IAM's default policy.
func (s *Store) DeletePasswordPolicy() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.passwordPolicy == nil {
		return errNoSuchEntity.New("The account policy with name PasswordPolicy cannot be found.")
	}
	s.passwordPolicy = nil
	return nil
}

// policyFor checks a password against the policy; the hash is computed
// outside the lock (bcrypt is slow on purpose).
func (s *Store) policy() *PasswordPolicy {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.passwordPolicy == nil {
		return nil
	}
	p := *s.passwordPolicy
	return &p
}

// CreateLoginProfile gives a user a console password.
func (s *Store) CreateLoginProfile(userName, password string, resetRequired bool, now time.Time) (LoginProfile, error) {
	if err := s.policy().check(password); err != nil {
		return LoginProfile{}, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return LoginProfile{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[key(userName)]
	if u == nil {
		return LoginProfile{}, noUser(userName)
	}
	if u.login != nil {
		return LoginProfile{}, errEntityExists.New("Login Profile for user " + u.Name + " already exists.")
	}
	u.login = &loginProfile{LoginProfile: LoginProfile{UserName: u.Name, Created: now, ResetRequired: resetRequired}, hash: hash}
	return u.login.LoginProfile, nil
}

// GetLoginProfile returns a user's login profile.
func (s *Store) GetLoginProfile(userName string) (LoginProfile, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.users[key(userName)]
	if u == nil {
		return LoginProfile{}, noUser(userName)
	}
	if u.login == nil {
		return LoginProfile{}, noLoginProfile(u.Name)
	}
	return u.login.LoginProfile, nil
}

// UpdateLoginProfile changes a user's password or whether it must be
// reset (each when set).
func (s *Store) UpdateLoginProfile(userName string, password *string, resetRequired *bool) error {
	var hash []byte
	if password != nil {
		if err := s.policy().check(*password); err != nil {
			return err
		}
		var err error
		if hash, err = hashPassword(*password); err != nil {
			return err
		}
	}
	return s.withUser(userName, func(u *user) error {
		if u.login == nil {
			return noLoginProfile(u.Name)
		}
		if hash != nil {
			u.login.setHash(hash, s.passwordPolicy)
		}
		if resetRequired != nil {
			u.login.ResetRequired = *resetRequired
		}
		return nil
	})
}

func (l *loginProfile) setHash(hash []byte, p *PasswordPolicy) {
	keep := 0
	if p != nil {
		keep = p.ReusePrevention
	}
	l.history = append([][]byte{l.hash}, l.history...)
	l.history = l.history[:min(len(l.history), keep)]
	l.hash = hash
}

// DeleteLoginProfile takes a user's console password away.
func (s *Store) DeleteLoginProfile(userName string) error {
	return s.withUser(userName, func(u *user) error {
		if u.login == nil {
			return noLoginProfile(u.Name)
		}
		u.login = nil
		return nil
	})
}

// ChangePassword is a user changing their own password: the old one must
// match, the new one must meet the policy and not be one of the last
// PasswordReusePrevention ones.
func (s *Store) ChangePassword(userName, oldPassword, newPassword string) error {
	s.mu.RLock()
	u := s.users[key(userName)]
	var current []byte
	var history [][]byte
	if u != nil && u.login != nil {
		current, history = u.login.hash, append([][]byte(nil), u.login.history...)
	}
	s.mu.RUnlock()
	if u == nil {
		return noUser(userName)
	}
	if current == nil {
		return noLoginProfile(userName)
	}
	if bcrypt.CompareHashAndPassword(current, []byte(oldPassword)) != nil {
		return errAccessDenied.New("The old password is incorrect.")
	}
	p := s.policy()
	if err := p.check(newPassword); err != nil {
		return err
	}
	if p != nil && p.ReusePrevention > 0 {
		for _, h := range append([][]byte{current}, history...) {
			if bcrypt.CompareHashAndPassword(h, []byte(newPassword)) == nil {
				return errPasswordPolicy.New("Password was used previously and cannot be reused.")
			}
		}
	}
	hash, err := hashPassword(newPassword)
	if err != nil {
		return err
	}
	return s.withUser(userName, func(u *user) error {
		if u.login == nil {
			return noLoginProfile(u.Name)
		}
		u.login.setHash(hash, s.passwordPolicy)
		u.login.ResetRequired = false
		return nil
	})
}
