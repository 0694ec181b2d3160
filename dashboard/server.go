package dashboard

import (
	"embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hwnas/hwnas/engine/store"
)

//go:embed assets
var assets embed.FS

// Options configure a dashboard.
type Options struct {
	Store string        // the store's directory (store.DefaultDir when empty)
	Token string        // when set, every request must carry it
	Poll  time.Duration // how often pages look for changes (default 2 s)
}

// server answers the dashboard's requests.
type server struct {
	o     Options
	pages map[string]*template.Template
}

// New returns the dashboard's handler. With o.Token empty it answers only
// requests addressed to a loopback host; callers that listen beyond
// loopback must set a token (hwnas serve generates one).
func New(o Options) (http.Handler, error) {
	if o.Store == "" {
		o.Store = store.DefaultDir
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	s := &server{o: o, pages: map[string]*template.Template{}}
	for _, p := range []string{"index", "experiment", "trial"} {
		t, err := template.ParseFS(assets, "assets/layout.html", "assets/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard page %s: %w", p, err)
		}
		s.pages[p] = t
	}
	static, err := fs.Sub(assets, "assets/static") // the templates are not served
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /experiments/{id}", s.withRun(s.experiment))
	mux.HandleFunc("GET /experiments/{id}/trials/{seq}", s.withRun(s.trial))
	mux.HandleFunc("GET /api/stamp", s.stamp)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	var h http.Handler = mux
	if o.Token != "" {
		h = requireToken(o.Token, h)
	} else {
		h = loopbackHost(h)
	}
	return securityHeaders(h), nil
}

// securityHeaders forbids what the pages do not do: scripts other than
// /static's, anything from another origin, framing. Inline styles stay
// allowed: the report package's SVG and HTML tables carry style attributes.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// open opens the store read-only for one request.
func (s *server) open(w http.ResponseWriter) (*store.Store, bool) {
	st, err := store.OpenReadOnly(s.o.Store)
	if err != nil {
		http.Error(w, "hwnas serve: "+err.Error(), http.StatusServiceUnavailable)
		return nil, false
	}
	return st, true
}

// render writes page with data, or a 500 naming what failed.
func (s *server) render(w http.ResponseWriter, page string, data any) {
	var b strings.Builder
	if err := s.pages[page].ExecuteTemplate(&b, "layout", data); err != nil {
		http.Error(w, "hwnas serve: rendering "+page+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, b.String())
}

// stamp answers what pages poll: a string that changes whenever a run,
// its meta data or a trial is stored.
func (s *server) stamp(w http.ResponseWriter, r *http.Request) {
	st, ok := s.open(w)
	if !ok {
		return
	}
	defer st.Close()
	stamp, err := storeStamp(st)
	if err != nil {
		http.Error(w, "hwnas serve: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"stamp": stamp})
}

// storeStamp hashes every run's id, meta data, trial count and last trial
// time.
func storeStamp(st *store.Store) (string, error) {
	es, err := st.Experiments("")
	if err != nil {
		return "", err
	}
	acts, err := st.Activities()
	if err != nil {
		return "", err
	}
	h := fnv.New64a()
	for _, e := range es {
		a := acts[e.ID]
		fmt.Fprintf(h, "%d %s %d %d\n", e.ID, e.Meta, a.Trials, a.Last.UnixNano())
	}
	return strconv.FormatUint(h.Sum64(), 36), nil
}
