package lambda_test

import (
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator/emutest/answerfn"
)

// TestUpdateCodeServesNoStaleInstance invokes a function from several
// goroutines while its code is replaced: once UpdateFunctionCode has
// answered, no invocation may reach a warm instance of the old code.
func TestUpdateCodeServesNoStaleInstance(t *testing.T) {
	_, c := start(t)
	dir := answerfn.Module(t, "old")
	oldZip := buildAnswer(t, dir)
	answerfn.SetAnswer(t, dir, "new")
	newZip := buildAnswer(t, dir)
	name := createFn(t, c, func(in *awslambda.CreateFunctionInput) { in.Code.ZipFile = oldZip })

	const workers, afterUpdate = 4, 15
	var updated atomic.Bool
	var wg sync.WaitGroup
	warm := make(chan struct{}, workers)
	errs := make(chan string, workers*afterUpdate)
	for range workers {
		wg.Go(func() {
			seenAfter := 0
			for i := 0; seenAfter < afterUpdate; i++ {
				after := updated.Load() // read before the invocation starts
				out, err := c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name)})
				if err != nil {
					errs <- err.Error()
					return
				}
				got := string(out.Payload)
				if i == 0 {
					warm <- struct{}{}
				}
				if !after {
					continue
				}
				seenAfter++
				if got != `"new"` {
					errs <- "an invocation started after the update answered " + got
				}
			}
		})
	}
	for range workers {
		<-warm // every worker has an instance of the old code
	}
	if _, err := c.UpdateFunctionCode(bg, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: newZip}); err != nil {
		t.Fatal(err)
	}
	updated.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func buildAnswer(t *testing.T, dir string) []byte {
	t.Helper()
	path, _, err := deploy.BuildHandler(bg, dir)
	if err != nil {
		t.Fatal(err)
	}
	zip, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return zip
}
