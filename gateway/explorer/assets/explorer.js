// Starts GraphiQL against the hub's /graphql endpoint. Kept out of index.html
// so the page can run under a Content-Security-Policy without 'unsafe-inline' scripts.
(function () {
  var cfg = JSON.parse(document.getElementById('explorer-config').textContent);
  var fetcher = GraphiQL.createFetcher({ url: cfg.endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: cfg.defaultQuery,
    defaultHeaders: cfg.defaultHeaders || undefined,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  }));
})();
