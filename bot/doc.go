// Package bot holds Liaison's domain: the types that flow between the public
// channels, the knowledge base, the staff desk and the store, and the Engine
// that decides what to do with each public message.
//
// The package declares the small interfaces it consumes (Channel, Desk,
// Knowledge, Store, Messages) and imports no chat SDK, search engine or SQL
// driver: implementations live in the packages named after what they wrap
// (channels/discord, channels/slack, channels/web, knowledge, store, i18n) and
// are wired together in cmd/liaison.
package bot
