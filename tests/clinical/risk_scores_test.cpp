#include <gtest/gtest.h>
TEST(Placeholder, ToBeWritten) { GTEST_SKIP(); }
