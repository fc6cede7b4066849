// Compiles Asio's and Beast's implementation once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION), so that server.cpp is
// the only other file paying for their headers.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
