/* Homecoming: small behaviours shared by every page. No third-party code. */
(function () {
  "use strict";
  // When the session has ended (idle timeout, sign-out elsewhere), an HTMX request is redirected to
  // the sign-in page: go there as a whole page instead of swapping the sign-in form into a fragment.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || !xhr.responseURL) { return; }
    var url = new URL(xhr.responseURL);
    if (url.origin === window.location.origin && url.pathname.indexOf("/accounts/login/") === 0) {
      event.detail.shouldSwap = false;
      // Come back to this page, not to the fragment that was being fetched.
      url.searchParams.set("next", window.location.pathname + window.location.search);
      window.location.assign(url.href);
    }
  });
})();
