package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/groundstack/groundstack/harness/awsmodel"
	"github.com/groundstack/groundstack/harness/coverage"
)

// runCoverage prints, per service, how many of its model's operations the
// emulator serves; with --out it writes the whole table (docs/coverage.md).
func runCoverage(args []string) error {
	fs := flag.NewFlagSet("coverage", flag.ContinueOnError)
	out := fs.String("out", "", "write the per-operation table (Markdown) to this file, e.g. docs/coverage.md")
	conf := fs.String("conformance", coverage.DefaultConformance, "the conformance suite's report, read when present")
	fs.Usage = func() {
		fmt.Print("groundstack coverage — the AWS operations groundstack serves, per service\n\n" +
			"Usage:\n  groundstack coverage [--out docs/coverage.md] [--conformance " + coverage.DefaultConformance + "]\n\n" +
			"Description:\n  Per service, the operations of AWS's model (from the installed botocore, or\n  " + awsmodel.EnvDataDir +
			") that groundstack serves; with --out, the whole per-operation table.\n\n" +
			"Examples:\n  groundstack coverage\n  groundstack coverage --out docs/coverage.md\n\n" +
			"Exit status:\n  0 printed, 1 botocore's models were not found, 2 bad usage.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{err: fmt.Errorf("coverage: unexpected argument %q", fs.Arg(0))}
	}
	lib, err := awsmodel.Default()
	if err != nil {
		return err
	}
	c, err := coverage.ReadConformance(*conf)
	if err != nil {
		return err
	}
	rep, err := coverage.Build(lib, coverage.Served(), c)
	if err != nil {
		return err
	}
	if err := rep.WriteSummary(os.Stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
		return err
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Println("wrote", *out)
	return nil
}
