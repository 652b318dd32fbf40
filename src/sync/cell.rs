//! The facade's [`UnsafeCell`] in std and under shuttle (loom brings its own): std's cell in
//! loom's shape, so that one source compiles in every world.

/// An `UnsafeCell` in loom's shape: access goes through [`with`](UnsafeCell::with) and
/// [`with_mut`](UnsafeCell::with_mut), so that loom can check every access for a data race.
///
/// ```
/// # verisync::sync::model(|| {
/// let c = verisync::sync::UnsafeCell::new(1);
/// // SAFETY: nothing else can reach `c`.
/// c.with_mut(|p| unsafe { *p += 1 });
/// assert_eq!(c.with(|p| unsafe { *p }), 2);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::sync::UnsafeCell::new(0u8);
    /// assert_eq!(c.into_inner(), 0);
    /// # });
    /// ```
    pub const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Consumes the cell and returns the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// assert_eq!(verisync::sync::UnsafeCell::new("v").into_inner(), "v");
    /// # });
    /// ```
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    /// Calls `f` with a shared pointer to the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::sync::UnsafeCell::new(7);
    /// assert_eq!(c.with(|p| unsafe { *p }), 7);
    /// # });
    /// ```
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Calls `f` with a unique pointer to the value.
    ///
    /// ```
    /// # verisync::sync::model(|| {
    /// let c = verisync::sync::UnsafeCell::new(7);
    /// c.with_mut(|p| unsafe { *p = 8 });
    /// assert_eq!(c.into_inner(), 8);
    /// # });
    /// ```
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
