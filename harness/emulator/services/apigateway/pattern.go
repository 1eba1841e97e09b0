package apigateway

import (
	"regexp"
	"sync"
)

// lazyPattern is a regular expression compiled on its first use: the
// emulator starts with every service, and compiling stageNameRE's {1,128}
// alone allocated 100 KB and took most of this package's initialisation.
type lazyPattern struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

func (p *lazyPattern) MatchString(s string) bool {
	p.once.Do(func() { p.re = regexp.MustCompile(p.expr) })
	return p.re.MatchString(s)
}
