// CloudFront Function (viewer request, runtime cloudfront-js-2.0) for a site/ kept in a private
// S3 bucket: asks S3 for <folder>/index.html when a visitor opens <folder>/, as GitHub Pages,
// Netlify and Cloudflare Pages do, and adds the missing slash to <folder> (the pages' relative
// links and the password shell need it). tests/test_workflows.py runs this file in Node.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith("/")) {
    request.uri = uri + "index.html";
    return request;
  }
  var last = uri.substring(uri.lastIndexOf("/") + 1);
  if (last.indexOf(".") === -1) {
    return {
      statusCode: 301,
      statusDescription: "Moved Permanently",
      headers: { location: { value: uri + "/" } },
    };
  }
  return request;
}
