package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/liaison-gc/liaison/bot"
)

// Platform is the web channel's and desk's name.
const Platform = "web"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Options are the server's collaborators. Zero values take defaults.
type Options struct {
	Logger *slog.Logger     // nil: discard
	Now    func() time.Time // nil: time.Now
	// StaffTokens are personal desk tokens by staff roster id, each from
	// the environment variable TokenVar(id), read by the caller. When any
	// is set, personal sign-in is on: each person signs in with their own
	// token, the session is theirs, and the desk and comms APIs act as
	// that person only. The shared token then no longer signs in.
	StaffTokens map[string]string
}

// MinTokenLength is the shortest desk token, shared or personal.
const MinTokenLength = 16

// TokenVar is the environment variable that holds staff member id's
// personal desk token: LIAISON_WEB_TOKEN_ followed by the id upper-cased,
// every character other than A–Z and 0–9 written as "_" ("marie-c" →
// LIAISON_WEB_TOKEN_MARIE_C).
func TokenVar(id string) string {
	b := []byte(strings.ToUpper(id))
	for i, c := range b {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	return "LIAISON_WEB_TOKEN_" + string(b)
}

// staffToken is a personal desk token, kept as its hash: every sign-in
// compares hashes of one length, in constant time.
type staffToken struct {
	id  string
	sum [sha256.Size]byte
}

// Server serves the citizen chat, the staff desk and the comms page. Create
// it with New; it is safe for concurrent use.
type Server struct {
	cfg      Config
	token    string       // the shared desk token; "" when none or when personal sign-in is on
	personal []staffToken // personal sign-in is on when any
	loopback bool
	log      *slog.Logger
	now      func() time.Time
	secret   []byte
	pages    *template.Template
	mux      *http.ServeMux

	channel *Channel
	desk    *Desk

	rooms    map[string]*topic
	deskHub  *topic
	throttle *throttle // per browser
	perAddr  *throttle // per network address
	logins   *throttle

	mu        sync.Mutex
	handler   bot.Handler
	deskH     bot.DeskHandler
	replies   *keyset              // Reply.Key → ref id, to show a reply once
	sent      *sentSet             // browser and client id → message id, so that a retry is one message
	notices   []deskNotice         // recent desk notices, oldest first
	noticeID  int64                // last notice id; starts at the time in µs, as event ids (newTopic): a notice's ref names it only, across restarts too
	resolved  map[int64]string     // held answers settled on this desk → how (see choice)
	signedOut map[string]time.Time // desk session id → when it would have ended
	streams   map[string]*watch    // desk session id → its open event streams
	liveAddr  map[string]int       // addrKey → event streams open from it
	escs      map[int64]escView    // last snapshot pushed, for late subscribers
	ln        net.Listener
}

// New checks cfg and returns a server. token is the shared desk token
// (from the environment variable LIAISON_WEB_TOKEN, read by the caller);
// "" means none. On an address that is not loopback a token (shared or
// personal, see Options.StaffTokens) is required, and when one is set the
// desk and comms pages require signing in. With personal tokens, token is
// ignored, and none of them may be it.
func New(cfg Config, token string, opts Options) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	personal, err := staffTokens(opts.StaffTokens, token)
	if err != nil {
		return nil, err
	}
	if len(personal) > 0 {
		token = "" // personal sign-in only
	}
	loop := isLoopback(cfg.Addr)
	if !loop && token == "" && len(personal) == 0 {
		return nil, fmt.Errorf("web: web.addr %q is not a loopback address: set LIAISON_WEB_TOKEN (or each person's LIAISON_WEB_TOKEN_<ID>) to protect the staff desk and comms page, or listen on 127.0.0.1", cfg.Addr)
	}
	if err := CheckSharedToken(token); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("web: secret: %w", err)
	}
	pages, err := template.New("").Funcs(template.FuncMap{
		"t": func(l bot.Lang, key string) string { return uiText(l, key) },
		"tf": func(l bot.Lang, key, name string, v any) string {
			return uiTextf(l, key, map[string]any{name: v})
		},
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s := &Server{
		cfg:       cfg,
		token:     token,
		personal:  personal,
		loopback:  loop,
		log:       opts.Logger.With("channel", Platform),
		now:       opts.Now,
		secret:    secret,
		pages:     pages,
		rooms:     map[string]*topic{},
		deskHub:   newTopic(200),
		noticeID:  time.Now().UnixMicro(),
		throttle:  newThrottle(cfg.FloodPerMinute, cfg.FloodBurst, opts.Now),
		perAddr:   newThrottle(cfg.AddressFloodPerMinute, cfg.AddressFloodBurst, opts.Now),
		logins:    newThrottle(10, 5, opts.Now),
		replies:   newKeyset(20000),
		sent:      newSentSet(20000, retryWindow),
		resolved:  map[int64]string{},
		signedOut: map[string]time.Time{},
		streams:   map[string]*watch{},
		liveAddr:  map[string]int{},
		escs:      map[int64]escView{},
	}
	for _, r := range cfg.Rooms {
		s.rooms[r.ID] = newTopic(cfg.History)
	}
	s.channel = &Channel{s: s}
	s.desk = &Desk{s: s}
	s.mux = s.routes()
	return s, nil
}

// staffTokens checks personal tokens (see CheckStaffTokens) and keeps
// their hashes, in id order.
func staffTokens(tokens map[string]string, shared string) ([]staffToken, error) {
	byVar := make(map[string]string, len(tokens))
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(tokens)) {
		k := TokenVar(id)
		if _, dup := byVar[k]; dup {
			errs = append(errs, fmt.Errorf("two staff ids give %s: rename one, so that each person's token has its own variable", k))
		}
		byVar[k] = tokens[id]
	}
	if err := errors.Join(append(errs, CheckStaffTokens(byVar, shared))...); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	var out []staffToken
	for _, id := range slices.Sorted(maps.Keys(tokens)) {
		out = append(out, staffToken{id: id, sum: sha256.Sum256([]byte(tokens[id]))})
	}
	return out, nil
}

// Channel returns the citizen chat as a bot.Channel.
func (s *Server) Channel() *Channel { return s.channel }

// Desk returns the staff desk as a bot.Desk.
func (s *Server) Desk() *Desk { return s.desk }

// Handler returns the server's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.bodyDeadline(s.mux) }

// bodyDeadline bounds how long a request's body may take to arrive:
// BodyTimeoutSeconds from when its handler starts, however slowly it
// trickles in (ReadHeaderTimeout bounds only the headers). The deadline
// is lifted once the body is read to its end, so that the handler's own
// work and its answer are not cut short; a request without a body (a
// page, a live-update stream) gets none. A body that does not arrive in
// time fails to read: the handler answers as for a body cut short, and
// the connection is closed.
func (s *Server) bodyDeadline(next http.Handler) http.Handler {
	timeout := time.Duration(s.cfg.BodyTimeoutSeconds) * time.Second
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(timeout)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts its connection's read deadline when it has been read
// to its end.
type deadlineBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	lifted bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.lifted {
		b.lifted = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// Listen binds the configured address. Call it before Serve to learn the
// address (URLs) before serving.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("web: listen on %s (web.addr): %w", s.cfg.Addr, err)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	return ln, nil
}

// Serve binds the configured address (unless Listen was called) and serves
// until ctx ends, then shuts down gracefully. It returns nil after ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		var err error
		if ln, err = s.Listen(); err != nil {
			return err
		}
	}
	return s.ServeListener(ctx, ln)
}

// ServeListener serves on ln until ctx ends. Tests pass a listener on
// 127.0.0.1:0. The token rule was decided by New from the configured
// address.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	// Live streams end with ctx (BaseContext), so Shutdown does not wait
	// for them.
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}

// URLs are the addresses of the three pages.
type URLs struct {
	Chat, Desk, Comms string
}

// URLs returns the pages' addresses once the server listens (from the
// configured address before that). An unspecified host (0.0.0.0, "")
// prints as localhost.
func (s *Server) URLs() URLs {
	addr := s.cfg.Addr
	s.mu.Lock()
	if s.ln != nil {
		addr = s.ln.Addr().String()
	}
	s.mu.Unlock()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "127.0.0.1", "8080"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	base := "http://" + net.JoinHostPort(host, port)
	return URLs{Chat: base + "/", Desk: base + "/desk", Comms: base + "/comms"}
}

func (s *Server) handlers() (bot.Handler, bot.DeskHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.handler, s.deskH
}

// routes builds the mux. Pages and APIs of the desk and comms go through
// s.staffOnly; every state-changing API through s.csrf.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	assets, _ := fs.Sub(assetFS, "assets")
	files := http.StripPrefix("/assets/", http.FileServerFS(assets))
	m.Handle("GET /assets/", s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})))
	m.Handle("GET /healthz", s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})))
	m.Handle("GET /{$}", s.secure(http.HandlerFunc(s.chatPage)))
	m.Handle("GET /chat", s.secure(http.HandlerFunc(s.chatPage)))
	m.Handle("GET /login", s.secure(http.HandlerFunc(s.loginPage)))
	m.Handle("POST /login", s.secure(http.HandlerFunc(s.login)))
	m.Handle("POST /logout", s.secure(s.csrf(http.HandlerFunc(s.logout))))
	m.Handle("GET /api/chat/events", s.secure(http.HandlerFunc(s.chatEvents)))
	m.Handle("POST /api/chat/messages", s.secure(s.csrf(http.HandlerFunc(s.postMessage))))
	m.Handle("POST /api/chat/feedback", s.secure(s.csrf(http.HandlerFunc(s.postFeedback))))

	m.Handle("GET /desk", s.secure(s.staffOnly(http.HandlerFunc(s.deskPage))))
	m.Handle("GET /comms", s.secure(s.staffOnly(http.HandlerFunc(s.commsPage))))
	m.Handle("GET /api/desk/events", s.secure(s.staffOnly(http.HandlerFunc(s.deskEvents))))
	m.Handle("GET /api/desk/roster", s.secure(s.staffOnly(http.HandlerFunc(s.roster))))
	m.Handle("GET /api/desk/escalations", s.secure(s.staffOnly(http.HandlerFunc(s.listEscalations))))
	m.Handle("GET /api/desk/notices", s.secure(s.staffOnly(http.HandlerFunc(s.listNotices))))
	for _, a := range []string{"claim", "answer", "close", "draft", "suggest", "mismatch"} {
		m.Handle("POST /api/desk/"+a, s.secure(s.staffOnly(s.csrf(s.deskAction(a)))))
	}
	m.Handle("GET /api/comms/status", s.secure(s.staffOnly(http.HandlerFunc(s.status))))
	m.Handle("POST /api/comms/phase", s.secure(s.staffOnly(s.csrf(http.HandlerFunc(s.setPhase)))))
	m.Handle("POST /api/comms/broadcast", s.secure(s.staffOnly(s.csrf(http.HandlerFunc(s.broadcast)))))
	m.Handle("/", s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
	})))
	return m
}

// csp allows only this server's own scripts, styles and connections.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// secure sets the security headers on every response.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// Cookies.
const (
	cookieBrowser = "liaison_id"   // stable random per-browser id: the citizen's AuthorID
	cookieLang    = "liaison_lang" // interface language
	cookieDesk    = "liaison_desk" // desk session, after login with the token
	headerCSRF    = "X-CSRF-Token"
	// headerSession carries the mark of the desk session a staff page
	// was served under (see pageMark).
	headerSession = "X-Liaison-Session"
)

// overHTTPS reports whether the browser reached the server over https:
// directly, or through a TLS-terminating proxy that says so
// (X-Forwarded-Proto or Forwarded, as nginx, Apache, Caddy and Traefik
// can send). The server itself speaks plain HTTP, so behind such a proxy
// its cookies are marked Secure only thus, and a browser then never sends
// them over plain HTTP, where anyone on the network could read the desk
// session. A client that claims https falsely only keeps its own cookies
// off plain HTTP.
func overHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	if strings.EqualFold(strings.TrimSpace(proto), "https") {
		return true
	}
	first, _, _ := strings.Cut(r.Header.Get("Forwarded"), ",")
	for _, pair := range strings.Split(first, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
		if strings.EqualFold(k, "proto") && strings.EqualFold(strings.Trim(v, `"`), "https") {
			return true
		}
	}
	return false
}

// browserID returns the browser's id, setting the cookie when it has none.
func (s *Server) browserID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(cookieBrowser); err == nil && validBrowserID(c.Value) {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: cookieBrowser, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: overHTTPS(r), MaxAge: 365 * 24 * 3600,
	})
	return id
}

func validBrowserID(v string) bool {
	if len(v) != 22 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil
}

// mac is a keyed hash of parts, hex-encoded.
func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.secret)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// csrfToken is bound to the browser id: a page on another site can neither
// read it nor send it.
func (s *Server) csrfToken(browser string) string { return s.mac("csrf", browser)[:32] }

// tag is the public pseudonym of a browser id in room events, so a page can
// tell its own messages without learning anyone's cookie.
func (s *Server) tag(browser string) string {
	if browser == "" {
		return ""
	}
	return s.mac("tag", browser)[:12]
}

// csrf refuses state-changing requests that do not carry the page's CSRF
// token (or a bearer token, for API clients) or that come from another
// origin.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.bearerOK(r) {
			next.ServeHTTP(w, r)
			return
		}
		if !originOK(r) {
			s.csrfError(w, r)
			return
		}
		got := r.Header.Get(headerCSRF)
		if got == "" && isForm(r) {
			// Plain HTML forms (sign out) carry the token as a field; a
			// form is small, and nothing else is read before the check.
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			got = r.PostFormValue("csrf")
		}
		if !s.csrfOK(r, got) {
			s.csrfError(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csrfOK reports whether got is the CSRF token of the request's browser.
func (s *Server) csrfOK(r *http.Request, got string) bool {
	c, err := r.Cookie(cookieBrowser)
	return err == nil && validBrowserID(c.Value) &&
		subtle.ConstantTimeCompare([]byte(got), []byte(s.csrfToken(c.Value))) == 1
}

// csrfError refuses a request that failed the CSRF check: an API gets
// JSON, a page's form (sign out) a page that says what to do.
func (s *Server) csrfError(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, r, http.StatusForbidden, "err.csrf", "")
		return
	}
	s.errorPage(w, r, http.StatusForbidden, "err.csrf")
}

// originOK reports whether a state-changing request may come from where
// its Origin header says: this server, or no origin told.
//
// "null" counts as none. Chromium sends it with a page's own form (sign
// in, sign out) because the pages' Referrer-Policy is no-referrer; so do
// other privacy settings. A page on another site can send "null" too (from
// a sandboxed frame), so for such requests the Origin check no longer
// stands guard, but it never stood alone: that page's request is
// cross-site, so the browser sends neither the desk session cookie
// (SameSite=Strict) nor the browser id cookie (SameSite=Lax, and the CSRF
// token is bound to it), and the page cannot read the CSRF token from ours.
// Signing in is proved by the desk token itself, which another site does
// not have; and a forged sign-in with it would only sign the browser in to
// the one shared desk identity. Under personal sign-in a forged sign-in
// with the forger's own token would have the victim act under the
// forger's name, so the sign-in form then carries the CSRF token too.
func originOK(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || o == "null" || sameOrigin(o, r)
}

// maxFormBytes bounds the HTML forms the server reads (sign in, sign out):
// a few hundred bytes in use.
const maxFormBytes = 4 << 10

// isForm reports whether the request body is a URL-encoded form, the only
// kind of form the pages send. Multipart bodies are never parsed.
func isForm(r *http.Request) bool {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
}

func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// guarded reports whether the desk and comms pages require signing in: a
// shared or personal token is set.
func (s *Server) guarded() bool { return s.token != "" || len(s.personal) > 0 }

// bearerOK reports whether the request carries a desk token as a bearer
// token.
func (s *Server) bearerOK(r *http.Request) bool {
	_, ok := s.bearer(r)
	return ok
}

// bearer returns whose token the request carries as a bearer token: a
// staff id under personal sign-in, "" for the shared token. A wrong token
// counts against its network address, with the same limits as signing in
// (s.logins), and while the address has no tries left (bearerWait) no
// token is even compared: guessing through the APIs goes no faster than
// through the sign-in form. A right token costs nothing.
func (s *Server) bearer(r *http.Request) (staff string, ok bool) {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.guarded() || s.bearerWait(r) > 0 {
		return "", false
	}
	if staff, ok = s.tokenOwner(got); !ok {
		s.logins.allow(bearerKey(r))
		s.log.Warn("desk bearer token refused", "remote", clientIP(r))
	}
	return staff, ok
}

// bearerWait is how long the request's network address must wait before
// its bearer token is compared again, after too many wrong ones: 0 when
// it need not, or when it sends none.
func (s *Server) bearerWait(r *http.Request) time.Duration {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		return 0
	}
	return s.logins.wait(bearerKey(r))
}

// bearerKey is what wrong bearer tokens count against: the request's
// network address, apart from its sign-ins, so that staff signing in from
// an office's one address do not hold up its API clients.
func bearerKey(r *http.Request) string { return "bearer:" + addrKey(r) }

// tokenOwner checks a desk token, in constant time: under personal
// sign-in it returns the staff id whose token it is (every token is
// compared, so the time taken does not tell whose it is); otherwise it
// reports whether it is the shared token, whose owner is "".
func (s *Server) tokenOwner(got string) (staff string, ok bool) {
	if len(s.personal) > 0 {
		sum := sha256.Sum256([]byte(got))
		for _, st := range s.personal {
			if subtle.ConstantTimeCompare(sum[:], st.sum[:]) == 1 {
				staff, ok = st.id, true
			}
		}
		return staff, ok
	}
	return "", s.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// signedInKey is the request context key of the staff id a personal
// session or token signed in (see signedIn).
type signedInKey struct{}

// signedIn returns the staff id the request is signed in as, under
// personal sign-in (staffOnly puts it in the request's context).
func signedIn(r *http.Request) (string, bool) {
	id, ok := r.Context().Value(signedInKey{}).(string)
	return id, ok && id != ""
}

// sessionTTL is how long a desk login lasts without use: every request
// the session authenticates starts it again (a sliding session), so that
// staff at work are never signed out in the middle of an answer. However
// it is used, a session ends sessionMax after its sign-in: staff sign in
// again once a day.
const (
	sessionTTL = 12 * time.Hour
	sessionMax = 24 * time.Hour
)

// deskSession is what the desk cookie carries, signed: a random id (what
// signing out revokes, in every copy of the cookie), when it was signed
// in, when it expires, and under personal sign-in whose session it is.
type deskSession struct {
	id         string
	start, exp time.Time
	staff      string // roster id; "" for the shared token
}

// setSession sets (or renews) the desk session cookie, valid sessionTTL
// from now and never past sessionMax after its sign-in.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, ds deskSession) {
	now := s.now()
	ds.exp = sessionEnd(ds, now)
	http.SetCookie(w, &http.Cookie{
		Name: cookieDesk, Value: s.sessionValue(ds), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: overHTTPS(r),
		MaxAge: max(1, int(ds.exp.Sub(now)/time.Second)),
	})
}

// sessionEnd is when ds ends if it is used at now and not again:
// sessionTTL later, and never past sessionMax after its sign-in.
func sessionEnd(ds deskSession, now time.Time) time.Time {
	end := now.Add(sessionTTL)
	if limit := ds.start.Add(sessionMax); end.After(limit) {
		end = limit
	}
	return end
}

func (s *Server) sessionValue(ds deskSession) string {
	v := ds.id + "." + strconv.FormatInt(ds.start.Unix(), 10) + "." + strconv.FormatInt(ds.exp.Unix(), 10) +
		"." + base64.RawURLEncoding.EncodeToString([]byte(ds.staff)) // a roster id may hold dots
	return v + "." + s.mac("session", v)
}

// session returns the request's desk session when its cookie is genuine,
// not expired and not signed out.
func (s *Server) session(r *http.Request) (deskSession, bool) {
	c, err := r.Cookie(cookieDesk)
	if err != nil {
		return deskSession{}, false
	}
	i := strings.LastIndexByte(c.Value, '.')
	if i < 0 || !hmac.Equal([]byte(c.Value[i+1:]), []byte(s.mac("session", c.Value[:i]))) {
		return deskSession{}, false
	}
	parts := strings.Split(c.Value[:i], ".")
	if len(parts) != 4 {
		return deskSession{}, false
	}
	start, err1 := strconv.ParseInt(parts[1], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	staff, err3 := base64.RawURLEncoding.DecodeString(parts[3])
	ds := deskSession{id: parts[0], start: time.Unix(start, 0), exp: time.Unix(exp, 0), staff: string(staff)}
	// Under personal sign-in every session is someone's; otherwise none is.
	if err1 != nil || err2 != nil || err3 != nil || (ds.staff != "") != (len(s.personal) > 0) || !s.sessionLive(ds) {
		return deskSession{}, false
	}
	return ds, true
}

// sessionLive reports whether ds has neither expired nor been signed out.
func (s *Server) sessionLive(ds deskSession) bool {
	now := s.now()
	if now.After(ds.exp) || now.After(ds.start.Add(sessionMax)) {
		return false
	}
	s.mu.Lock()
	_, out := s.signedOut[ds.id]
	s.mu.Unlock()
	return !out
}

// pageMark is the mark of desk session ds that the staff pages served
// under it send back with their requests (headerSession): requests from a
// page whose session has ended, in a browser where someone has signed in
// since, are then told it ended. It does not reveal the session id.
func (s *Server) pageMark(ds deskSession) string { return s.mac("page", ds.id)[:32] }

// sessionOK reports whether the request carries a live desk session.
func (s *Server) sessionOK(r *http.Request) bool {
	_, ok := s.session(r)
	return ok
}

// signOut revokes a session in every copy of its cookie until it would
// have ended anyway, and ends its open event streams.
func (s *Server) signOut(ds deskSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, end := range s.signedOut {
		if now.After(end) {
			delete(s.signedOut, id)
		}
	}
	s.signedOut[ds.id] = ds.start.Add(sessionMax)
	if w := s.streams[ds.id]; w != nil {
		close(w.done)
		delete(s.streams, ds.id)
	}
}

// watch is the open event streams of one desk session.
type watch struct {
	done chan struct{} // closed when the session is signed out
	n    int           // streams open
}

// watchSession returns a channel closed when the session id is signed
// out, and a function to call when the stream that watches it ends.
func (s *Server) watchSession(id string) (<-chan struct{}, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.streams[id]
	if w == nil {
		w = &watch{done: make(chan struct{})}
		s.streams[id] = w
	}
	w.n++
	return w.done, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if w.n--; w.n == 0 && s.streams[id] == w {
			delete(s.streams, id)
		}
	}
}

// staffOnly lets through everyone when no token is set (loopback only: New
// enforces it), else only a logged-in browser or a bearer token.
//
// Without a token, a request must also name this computer as its host
// (localhost or a loopback address): otherwise a web site whose name its
// owner points at 127.0.0.1 (DNS rebinding) would be the same site as the
// desk in a staff member's browser, and could act as any staff member.
// Nor may it come through a proxy: a proxy in front of a server on
// 127.0.0.1 (nginx's proxy_pass, by default) names the server's own
// address as the host, and would hand the desk to anyone it serves.
func (s *Server) staffOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.guarded() && (!loopbackHost(r.Host) || proxied(r)) {
			key := "err.host"
			if loopbackHost(r.Host) {
				key = "err.proxied"
			}
			s.log.Warn("staff page refused: no token and a request from another computer", "host", r.Host, "remote", clientIP(r), "proxied", proxied(r))
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.apiError(w, r, http.StatusForbidden, key, "")
				return
			}
			s.errorPage(w, r, http.StatusForbidden, key)
			return
		}
		if !s.guarded() {
			next.ServeHTTP(w, r)
			return
		}
		if wait := s.bearerWait(r); wait > 0 {
			s.tooMany(w, r, wait)
			return
		}
		if who, ok := s.bearer(r); ok {
			next.ServeHTTP(w, withStaff(r, who))
			return
		}
		ds, ok := s.session(r)
		if got := r.Header.Get(headerSession); ok && got != "" && !hmac.Equal([]byte(got), []byte(s.pageMark(ds))) {
			// A page served under a session that has since ended (another
			// sign-in on this browser replaced it) is told it ended, not
			// taken for the new session: its requests would act as, or
			// be refused and audited as, the person now signed in.
			ok = false
		}
		if ok {
			s.setSession(w, r, ds)
			next.ServeHTTP(w, withStaff(r, ds.staff))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="liaison"`)
			s.apiError(w, r, http.StatusUnauthorized, "err.login", "")
			return
		}
		// The sign-in page speaks the language the link asked for.
		login := "/login?next=" + url.QueryEscape(r.URL.Path)
		if l := r.URL.Query().Get("lang"); l == "en" || l == "fr" {
			login += "&lang=" + l
		}
		http.Redirect(w, r, login, http.StatusSeeOther)
	})
}

// withStaff is r signed in as staff id who, when personal sign-in is on
// ("" otherwise).
func withStaff(r *http.Request, who string) *http.Request {
	if who == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), signedInKey{}, who))
}

// forwardHeaders are the headers proxies add to a request they relay.
// Browsers never send them.
var forwardHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "Via"}

// proxied reports whether a proxy relayed the request: it then comes from
// another computer, whatever its host and remote address say.
func proxied(r *http.Request) bool {
	for _, h := range forwardHeaders {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	l := s.lang(w, r)
	if !isForm(r) {
		s.errorPage(w, r, http.StatusUnsupportedMediaType, "err.invalid")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "err.invalid")
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if !originOK(r) {
		s.errorPage(w, r, http.StatusForbidden, "err.csrf")
		return
	}
	if !s.guarded() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if !s.logins.allow("login:" + addrKey(r)) {
		w.Header().Set("Retry-After", "60")
		s.renderLogin(w, r, l, next, "err.flood", http.StatusTooManyRequests)
		return
	}
	if len(s.personal) > 0 && !s.csrfOK(r, r.PostFormValue("csrf")) {
		s.errorPage(w, r, http.StatusForbidden, "err.csrf")
		return
	}
	who, ok := s.tokenOwner(r.PostFormValue("token"))
	if !ok {
		s.log.Warn("desk login refused", "remote", clientIP(r))
		s.renderLogin(w, r, l, next, "login.wrong", http.StatusUnauthorized)
		return
	}
	if who != "" {
		// A personal sign-in is on the record before the session exists.
		if _, dh := s.handlers(); dh == nil {
			s.renderLogin(w, r, l, next, "err.starting", http.StatusServiceUnavailable)
			return
		}
		if err := s.audit(r.Context(), bot.AuditEntry{Actor: who, Via: Platform, Action: "desk.signin", Target: "desk", Allowed: true}); err != nil {
			s.log.Error("audit desk sign-in", "staff", who, "err", err)
			s.renderLogin(w, r, l, next, "err.internal", http.StatusInternalServerError)
			return
		}
		s.log.Info("desk sign-in", "staff", who, "remote", clientIP(r))
	}
	// Signing in ends the session this browser presented, whoever's it
	// was: on a shared computer the person before is signed out in every
	// copy of their cookie, and the desk streams open under their session
	// end, instead of living on beside the new one until they expire.
	if old, ok := s.session(r); ok {
		s.endSession(r.Context(), old, "ended by a sign-in on the same browser")
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	s.setSession(w, r, deskSession{id: base64.RawURLEncoding.EncodeToString(id), start: s.now(), staff: who})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// audit records e when the engine keeps an audit log (it does).
func (s *Server) audit(ctx context.Context, e bot.AuditEntry) error {
	_, dh := s.handlers()
	a, ok := dh.(bot.Auditor)
	if !ok {
		return nil
	}
	return a.Audit(context.WithoutCancel(ctx), e)
}

// endSession signs ds out (see signOut) and, under personal sign-in,
// audits it as its owner's sign-out, with detail saying why when they did
// not sign out themselves. Ending a session is never refused: a failure
// to record it is logged.
func (s *Server) endSession(ctx context.Context, ds deskSession, detail string) {
	s.signOut(ds)
	if ds.staff == "" {
		return
	}
	if err := s.audit(ctx, bot.AuditEntry{Actor: ds.staff, Via: Platform, Action: "desk.signout", Target: "desk", Detail: detail, Allowed: true}); err != nil {
		s.log.Error("audit desk sign-out", "staff", ds.staff, "err", err)
	}
	s.log.Info("desk sign-out", "staff", ds.staff)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if ds, ok := s.session(r); ok {
		s.endSession(r.Context(), ds, "")
	}
	http.SetCookie(w, &http.Cookie{Name: cookieDesk, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: overHTTPS(r)})
	// What was being typed on the desk (kept in the tab's session storage)
	// and who was picked as "who are you" must not greet the next person
	// on a shared computer. The page's own sign-out form clears them too:
	// browsers honour this header only on https and on this computer.
	w.Header().Set("Clear-Site-Data", `"storage"`)
	// The sign-in page, saying the session has ended: on a shared
	// computer the next person sees at once that nobody is signed in.
	next := "/desk"
	if isForm(r) { // never a multipart body
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		next = safeNext(r.PostFormValue("next"))
	}
	http.Redirect(w, r, "/login?"+url.Values{"next": {next}, "out": {"1"}}.Encode(), http.StatusSeeOther)
}

// safeNext keeps redirects on this site.
func safeNext(p string) string {
	if p == "/desk" || p == "/comms" {
		return p
	}
	return "/desk"
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// addrKey is the network address the per-address limits count against:
// an IPv4 address (also written as IPv4-mapped IPv6), or the /64 of an
// IPv6 address, since one home connection or server is handed a whole
// /64 and can send from any address in it.
func addrKey(r *http.Request) string {
	ip := clientIP(r)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// lang picks the interface language: ?lang=, then the cookie, then the
// browser's Accept-Language, then English. A ?lang= choice is remembered.
func (s *Server) lang(w http.ResponseWriter, r *http.Request) bot.Lang {
	if q := r.URL.Query().Get("lang"); q == "en" || q == "fr" {
		http.SetCookie(w, &http.Cookie{Name: cookieLang, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			SameSite: http.SameSiteLaxMode, Secure: overHTTPS(r)})
		return bot.Lang(q)
	}
	if c, err := r.Cookie(cookieLang); err == nil && (c.Value == "en" || c.Value == "fr") {
		return bot.Lang(c.Value)
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(part))
		if strings.HasPrefix(tag, "fr") {
			return bot.French
		}
		if strings.HasPrefix(tag, "en") {
			return bot.English
		}
	}
	return bot.English
}
