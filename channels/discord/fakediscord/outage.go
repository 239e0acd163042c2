package fakediscord

// Outage cuts the gateway connection, as Drop does, and refuses new ones
// (HTTP 503 to the websocket upgrade) until EndOutage.
func (s *Server) Outage() {
	s.mu.Lock()
	s.gw.outage = true
	s.mu.Unlock()
	s.dropConn(0, 0)
}

// EndOutage accepts gateway connections again.
func (s *Server) EndOutage() {
	s.mu.Lock()
	s.gw.outage = false
	s.touch()
	s.mu.Unlock()
}

func (s *Server) refusingGateway() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gw.outage
}
