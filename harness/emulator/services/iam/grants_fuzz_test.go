package iam

import "testing"

func FuzzGrantsService(f *testing.F) {
	for _, s := range []string{`{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, `{"Statement":[{"Effect":"Allow","NotAction":["iam:*"]}]}`,
		`{"Statement":[{"Effect":"Allow","Action":["S3:Get*",1]}]}`, `{"Statement":"x"}`, `{`, ``} {
		f.Add(s, "s3")
	}
	f.Fuzz(func(t *testing.T, doc, ns string) { grantsService(doc, ns) })
}
