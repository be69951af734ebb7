//! The five verbs of the original's `Client` and `Response` classes, written once: each is
//! `request(method, path, options)` of the type it is generated on (a client, an account
//! session, or a response wrapper whose paths are relative to its URL).

/// `get/post/put/patch/delete(path, options)` on a type with an `async fn request(&self,
/// Method, &str, RequestOptions) -> Result<Response>`.
macro_rules! verbs {
    ($t:ty) => {
        impl $t {
            /// `get(path, **kwargs)`.
            pub async fn get(
                &self,
                path: &str,
                options: $crate::RequestOptions,
            ) -> $crate::Result<$crate::Response> {
                self.request(http::Method::GET, path, options).await
            }

            /// `post(path, data=None, json=None, **kwargs)`.
            pub async fn post(
                &self,
                path: &str,
                options: $crate::RequestOptions,
            ) -> $crate::Result<$crate::Response> {
                self.request(http::Method::POST, path, options).await
            }

            /// `put(path, data=None, **kwargs)`.
            pub async fn put(
                &self,
                path: &str,
                options: $crate::RequestOptions,
            ) -> $crate::Result<$crate::Response> {
                self.request(http::Method::PUT, path, options).await
            }

            /// `patch(path, data=None, **kwargs)`.
            pub async fn patch(
                &self,
                path: &str,
                options: $crate::RequestOptions,
            ) -> $crate::Result<$crate::Response> {
                self.request(http::Method::PATCH, path, options).await
            }

            /// `delete(path, **kwargs)`.
            pub async fn delete(
                &self,
                path: &str,
                options: $crate::RequestOptions,
            ) -> $crate::Result<$crate::Response> {
                self.request(http::Method::DELETE, path, options).await
            }
        }
    };
}
