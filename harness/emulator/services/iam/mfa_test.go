package iam_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/groundstack/groundstack/harness/emulator"
)

// code is what an authenticator app shows for key at t (RFC 6238: 30 s
// steps, HMAC-SHA-1, six digits), written apart from the emulator's.
func code(key []byte, t time.Time) string {
	msg := make([]byte, 8)
	binary.BigEndian.PutUint64(msg, uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg)
	sum := m.Sum(nil)
	o := sum[19] & 15
	v := (uint32(sum[o])&0x7f)<<24 | uint32(sum[o+1])<<16 | uint32(sum[o+2])<<8 | uint32(sum[o+3])
	return fmt.Sprintf("%06d", v%1000000)
}

func TestVirtualMFADevices(t *testing.T) {
	t.Parallel()
	// RFC 6238's own test vector, so the codes below are right.
	if got := code([]byte("12345678901234567890"), time.Unix(59, 0)); got != "287082" {
		t.Fatalf("the test's TOTP is wrong: %s", got)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	_, c := start(t, emulator.WithClock(func() time.Time { return now }))
	mustUser(t, c, "mfa-jo")
	dev, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("jo-phone"),
		Tags: []types.Tag{{Key: aws.String("kind"), Value: aws.String("phone")}}})
	if err != nil {
		t.Fatal(err)
	}
	serial := dev.VirtualMFADevice.SerialNumber
	key, err := base32.StdEncoding.DecodeString(string(dev.VirtualMFADevice.Base32StringSeed))
	if err != nil || len(key) != 20 || aws.ToString(serial) != "arn:aws:iam::000000000000:mfa/jo-phone" {
		t.Fatalf("device %s seed %q: %v", aws.ToString(serial), dev.VirtualMFADevice.Base32StringSeed, err)
	}
	enable := func(c1, c2 string) error {
		_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mfa-jo"), SerialNumber: serial,
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	prev, cur := code(key, now.Add(-30*time.Second)), code(key, now)
	wrong := fmt.Sprintf("%06d", (atoi(cur)+1)%1000000)
	wantAPIError(t, enable(cur, prev), "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.") // out of order
	wantAPIError(t, enable(prev, wrong), "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
	if err := enable(prev, cur); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, enable(prev, cur), "EntityAlreadyExists", 409, "MFA Device is already in use.")

	list, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("mfa-jo")})
	if err != nil || len(list.MFADevices) != 1 || aws.ToString(list.MFADevices[0].SerialNumber) != aws.ToString(serial) || !list.MFADevices[0].EnableDate.Equal(now) {
		t.Fatalf("list: %v %+v", err, list)
	}
	assigned, err := c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	if err != nil || len(assigned.VirtualMFADevices) != 1 || aws.ToString(assigned.VirtualMFADevices[0].User.UserName) != "mfa-jo" || assigned.VirtualMFADevices[0].Base32StringSeed != nil {
		t.Fatalf("assigned: %v %+v", err, assigned)
	}
	// Codes already used do not resync; the next two do.
	resync := func(c1, c2 string) error {
		_, err := c.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("mfa-jo"), SerialNumber: serial,
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	wantAPIError(t, resync(prev, cur), "InvalidAuthenticationCode", 403, "Authentication code for device is not valid.")
	now = now.Add(2 * time.Minute)
	if err := resync(code(key, now.Add(-30*time.Second)), code(key, now)); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"delete an enabled device", func() error {
			_, err := c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: serial})
			return err
		},
			"DeleteConflict", 409, "MFA VirtualDevice in use. Must deactivate first."},
		{"delete its user", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("mfa-jo")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must delete MFA device first."},
		{"duplicate device", func() error {
			_, err := c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("jo-phone")})
			return err
		}, "EntityAlreadyExists", 409, "MFADevice entity at the same path and name already exists."},
		{"code not six digits", func() error { return enable("12345", "123456") },
			"ValidationError", 400, "1 validation error detected: Value '12345' at 'authenticationCode1' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"unknown device", func() error {
			_, err := c.GetMFADevice(ctx, &iam.GetMFADeviceInput{SerialNumber: aws.String("arn:aws:iam::000000000000:mfa/none")})
			return err
		}, "NoSuchEntity", 404, "MFA device with serial number arn:aws:iam::000000000000:mfa/none does not exist."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}
	if _, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("mfa-jo"), SerialNumber: serial}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: serial, TagKeys: []string{"kind"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: serial})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	if _, err := c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: serial}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("mfa-jo")}); err != nil {
		t.Fatal(err)
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
