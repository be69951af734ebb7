//! [`store_type!`](crate::store_type): a provider's own store type over a
//! [`TreeStore`](super::TreeStore), every `ObjectStore` call delegated.

/// Declares `pub struct $name(TreeStore<$backend>)` implementing
/// [`object_store::ObjectStore`] by delegation, with `Debug`, `Display`, `Clone`,
/// `from_backend`, `with_options` and `tree()`, so that each provider crate exports a store
/// of its own name without writing the delegation again.
#[macro_export]
macro_rules! store_type {
    ($(#[$meta:meta])* $vis:vis struct $name:ident($backend:ty);) => {
        $(#[$meta])*
        #[derive(Clone)]
        $vis struct $name($crate::store::TreeStore<$backend>);

        impl $name {
            /// A store over `backend`, with the default [`StoreOptions`]($crate::store::StoreOptions).
            pub fn from_backend(backend: $backend) -> Self {
                Self($crate::store::TreeStore::new(backend))
            }

            /// A store over `backend`.
            pub fn from_backend_with_options(
                backend: $backend,
                options: $crate::store::StoreOptions,
            ) -> Self {
                Self($crate::store::TreeStore::with_options(backend, options))
            }

            /// The generic store underneath (its backend, its folder cache).
            pub fn tree(&self) -> &$crate::store::TreeStore<$backend> {
                &self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        #[$crate::__private::async_trait]
        impl $crate::store::object_store::ObjectStore for $name {
            async fn put_opts(
                &self,
                location: &$crate::store::object_store::path::Path,
                payload: $crate::store::object_store::PutPayload,
                opts: $crate::store::object_store::PutOptions,
            ) -> $crate::store::object_store::Result<$crate::store::object_store::PutResult> {
                self.0.put_opts(location, payload, opts).await
            }

            async fn put_multipart_opts(
                &self,
                location: &$crate::store::object_store::path::Path,
                opts: $crate::store::object_store::PutMultipartOptions,
            ) -> $crate::store::object_store::Result<
                ::std::boxed::Box<dyn $crate::store::object_store::MultipartUpload>,
            > {
                self.0.put_multipart_opts(location, opts).await
            }

            async fn get_opts(
                &self,
                location: &$crate::store::object_store::path::Path,
                options: $crate::store::object_store::GetOptions,
            ) -> $crate::store::object_store::Result<$crate::store::object_store::GetResult> {
                self.0.get_opts(location, options).await
            }

            fn delete_stream(
                &self,
                locations: $crate::futures::stream::BoxStream<
                    'static,
                    $crate::store::object_store::Result<$crate::store::object_store::path::Path>,
                >,
            ) -> $crate::futures::stream::BoxStream<
                'static,
                $crate::store::object_store::Result<$crate::store::object_store::path::Path>,
            > {
                self.0.delete_stream(locations)
            }

            fn list(
                &self,
                prefix: ::std::option::Option<&$crate::store::object_store::path::Path>,
            ) -> $crate::futures::stream::BoxStream<
                'static,
                $crate::store::object_store::Result<$crate::store::object_store::ObjectMeta>,
            > {
                self.0.list(prefix)
            }

            async fn list_with_delimiter(
                &self,
                prefix: ::std::option::Option<&$crate::store::object_store::path::Path>,
            ) -> $crate::store::object_store::Result<$crate::store::object_store::ListResult> {
                self.0.list_with_delimiter(prefix).await
            }

            async fn copy_opts(
                &self,
                from: &$crate::store::object_store::path::Path,
                to: &$crate::store::object_store::path::Path,
                options: $crate::store::object_store::CopyOptions,
            ) -> $crate::store::object_store::Result<()> {
                self.0.copy_opts(from, to, options).await
            }

            async fn rename_opts(
                &self,
                from: &$crate::store::object_store::path::Path,
                to: &$crate::store::object_store::path::Path,
                options: $crate::store::object_store::RenameOptions,
            ) -> $crate::store::object_store::Result<()> {
                self.0.rename_opts(from, to, options).await
            }
        }
    };
}
