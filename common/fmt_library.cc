// {fmt}'s compiled part, built once into both programs.
//
// Debian ships libfmt only as a shared library, and both programs are static.
// The header-only mode would compile the whole formatting engine into every
// file that formats (4-5 s each with g++ 12); instead the sources use {fmt}
// as a library (declarations only) and this file compiles its implementation
// (fmt/format-inl.h) once, with the explicit instantiations format.h declares
// `extern` or leaves to the library.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {

template FMT_API auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template FMT_API auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;

template FMT_API auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template FMT_API auto decimal_point_impl(locale_ref) -> char;

template FMT_API void buffer<char>::append(const char*, const char*);

}  // namespace detail
FMT_END_NAMESPACE
