"""The public site: the vetted content as pages by school phase and audience, the chat widget
(/widget.js) and a demo page with the widget on it. Its own Sanic app (`python -m website`)."""
