package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/liaison-gc/liaison/bot"
)

// page is what every template receives.
type page struct {
	Lang     bot.Lang
	Other    bot.Lang
	Name     string // "chat", "desk", "comms", "login", "error"
	Title    string
	Toggle   template.URL // this page in the other language
	CSRF     string
	Tag      string
	Staff    bool   // the desk and comms links are shown
	LoggedIn bool   // a desk session exists (logout button)
	Personal bool   // personal sign-in is on: the sign-in page asks for the person's own token
	Session  string // the mark of the desk session a staff page is served under (see pageMark)
	Me       string // the staff id signed in, under personal sign-in: the page acts as them only
	MeName   string // and their name
	Strings  map[string]string
	Rooms    []roomView
	Room     roomView
	MaxChars int
	Next     string
	Error    string
	Notice   string // a status the page says once (signed out)
	Code     int
}

type roomView struct {
	ID, Name string
	Help     bool
	Current  bool
}

func (s *Server) newPage(w http.ResponseWriter, r *http.Request, name string) page {
	l := s.lang(w, r)
	browser := s.browserID(w, r)
	return page{
		Lang: l, Other: l.Other(), Name: name, Title: uiText(l, name+".title"),
		Toggle: toggleURL(r.URL.Path, nil, l.Other()),
		CSRF:   s.csrfToken(browser), Tag: s.tag(browser),
		Staff: !s.guarded() || s.sessionOK(r), LoggedIn: s.guarded() && s.sessionOK(r),
		Personal: len(s.personal) > 0,
		Strings:  jsStrings(l, name),
	}
}

// staffPage is newPage for the desk and comms pages: it carries the mark
// of the session they are served under, and under personal sign-in names
// who is signed in.
func (s *Server) staffPage(w http.ResponseWriter, r *http.Request, name string) page {
	p := s.newPage(w, r, name)
	if ds, ok := s.session(r); ok {
		p.Session = s.pageMark(ds)
	}
	if who, ok := signedIn(r); ok {
		p.Me, p.MeName = who, who
		if _, dh := s.handlers(); dh != nil {
			p.MeName = staffName(dh.Roster(), who)
		}
	}
	return p
}

func (s *Server) render(w http.ResponseWriter, name string, code int, p page) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

func (s *Server) chatPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "chat")
	want := r.URL.Query().Get("room")
	if _, ok := s.cfg.room(want); !ok {
		want = s.cfg.Rooms[0].ID
	}
	for _, room := range s.cfg.Rooms {
		v := roomView{ID: room.ID, Name: room.Name(p.Lang), Help: room.Help, Current: room.ID == want}
		p.Rooms = append(p.Rooms, v)
		if v.Current {
			p.Room = v
		}
	}
	p.Toggle = toggleURL(r.URL.Path, url.Values{"room": {want}}, p.Other)
	p.MaxChars = s.cfg.MaxMessageChars
	s.render(w, "chat", http.StatusOK, p)
}

func (s *Server) deskPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, "desk", http.StatusOK, s.staffPage(w, r, "desk"))
}

func (s *Server) commsPage(w http.ResponseWriter, r *http.Request) {
	p := s.staffPage(w, r, "comms")
	p.MaxChars = bot.MaxBroadcastRunes // the engine's limit, in characters
	s.render(w, "comms", http.StatusOK, p)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	l := s.lang(w, r)
	if !s.guarded() || s.sessionOK(r) {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, l, safeNext(r.URL.Query().Get("next")), "", http.StatusOK)
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, l bot.Lang, next, errKey string, code int) {
	p := s.newPage(w, r, "login")
	p.Next = next
	q := url.Values{"next": {next}}
	if errKey != "" {
		p.Error = uiTextf(p.Lang, errKey, map[string]any{"Seconds": 60})
	} else if r.URL.Query().Get("out") == "1" {
		p.Notice = uiText(p.Lang, "login.out")
		q.Set("out", "1") // the same page in the other language
	}
	p.Toggle = toggleURL("/login", q, p.Other)
	s.render(w, "login", code, p)
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, code int, key string) {
	p := s.newPage(w, r, "error")
	p.Error = uiText(p.Lang, key)
	p.Code = code
	s.render(w, "error", code, p)
}

// toggleURL is path with q and lang=l: the same page in the other language.
// The path starts with one slash only: the not-found page's path is the
// request's, and a link starting with "//" leads browsers to another site.
func toggleURL(path string, q url.Values, l bot.Lang) template.URL {
	if q == nil {
		q = url.Values{}
	}
	q.Set("lang", string(l))
	u := url.URL{Path: "/" + strings.TrimLeft(path, "/"), RawQuery: q.Encode()}
	return template.URL(u.String()) // a path on this site; values are encoded
}
