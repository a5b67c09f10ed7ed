// Exact decimal comparison of JSON numbers (json/number.h).
//
// Every nonzero number is brought to the form 0.D x 10^E, where D is its significant
// digits without leading or trailing zeros. Two numbers are equal when their signs, D and
// E are; all zeros are equal. E is kept as decimal text because a valid JSON number may
// carry an exponent of any length.
#include "json/number.h"

#include <cstdint>
#include <string>

namespace docdb::json {
namespace {

struct NormalizedNumber {
  bool negative = false;
  std::string digits;    // significant digits; empty for zero
  std::string exponent;  // E as signed decimal text
};

std::string_view TakeDigits(std::string_view* text) {
  size_t n = 0;
  while (n < text->size() && (*text)[n] >= '0' && (*text)[n] <= '9') ++n;
  const std::string_view digits = text->substr(0, n);
  text->remove_prefix(n);
  return digits;
}

std::string_view StripLeadingZeros(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

// Adds `value` to the decimal magnitude `digits` in place.
void AddToDigits(uint64_t value, std::string* digits) {
  for (size_t i = digits->size(); value != 0; value /= 10) {
    uint64_t digit = value % 10;
    if (i > 0) {
      --i;
      digit += static_cast<uint64_t>((*digits)[i] - '0');
      if (digit >= 10) {
        digit -= 10;
        value += 10;  // carries one into the next position after the division
      }
      (*digits)[i] = static_cast<char>('0' + digit);
    } else {
      digits->insert(digits->begin(), static_cast<char>('0' + digit));
    }
  }
}

// Subtracts `value` from the decimal magnitude `digits` in place; requires digits > value.
void SubtractFromDigits(uint64_t value, std::string* digits) {
  for (size_t i = digits->size(); value != 0 && i > 0; value /= 10) {
    --i;
    int64_t digit = ((*digits)[i] - '0') - static_cast<int64_t>(value % 10);
    if (digit < 0) {
      digit += 10;
      value += 10;  // borrows one from the next position after the division
    }
    (*digits)[i] = static_cast<char>('0' + digit);
  }
  const size_t zeros = digits->find_first_not_of('0');
  digits->erase(0, zeros == std::string::npos ? digits->size() : zeros);
}

// The decimal text of (the exponent written as `negative` and `digits`) + `offset`.
std::string OffsetExponent(bool negative, std::string_view digits, int64_t offset) {
  digits = StripLeadingZeros(digits);
  // Up to 18 digits the sum fits an int64: |offset| is below the length of the number.
  if (digits.size() <= 18) {
    int64_t exponent = 0;
    for (const char c : digits) exponent = exponent * 10 + (c - '0');
    return std::to_string((negative ? -exponent : exponent) + offset);
  }
  // A longer exponent outweighs the offset, so the sum keeps the exponent's sign and only
  // its magnitude moves.
  std::string magnitude(digits);
  const bool grows = (offset >= 0) != negative;
  const uint64_t amount =
      offset >= 0 ? static_cast<uint64_t>(offset) : static_cast<uint64_t>(-(offset + 1)) + 1;
  if (grows) {
    AddToDigits(amount, &magnitude);
  } else {
    SubtractFromDigits(amount, &magnitude);
  }
  return negative ? "-" + magnitude : magnitude;
}

NormalizedNumber Normalize(std::string_view text) {
  NormalizedNumber number;
  if (!text.empty() && text.front() == '-') {
    number.negative = true;
    text.remove_prefix(1);
  }
  const std::string_view integer_part = TakeDigits(&text);
  std::string_view fraction_part;
  if (!text.empty() && text.front() == '.') {
    text.remove_prefix(1);
    fraction_part = TakeDigits(&text);
  }
  bool exponent_negative = false;
  std::string_view exponent_digits;
  if (!text.empty() && (text.front() == 'e' || text.front() == 'E')) {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
      exponent_negative = text.front() == '-';
      text.remove_prefix(1);
    }
    exponent_digits = TakeDigits(&text);
  }
  // value = (integer_part fraction_part) x 10^(exponent - |fraction_part|)
  const std::string mantissa = std::string(integer_part) + std::string(fraction_part);
  const size_t first = mantissa.find_first_not_of('0');
  if (first == std::string::npos) return number;  // zero
  const size_t last = mantissa.find_last_not_of('0');
  number.digits = mantissa.substr(first, last + 1 - first);
  const size_t trailing_zeros = mantissa.size() - 1 - last;
  // 0.D x 10^E = D x 10^(E - |D|), so E = exponent - |fraction| + trailing zeros + |D|.
  const int64_t offset = static_cast<int64_t>(trailing_zeros + number.digits.size()) -
                         static_cast<int64_t>(fraction_part.size());
  number.exponent = OffsetExponent(exponent_negative, exponent_digits, offset);
  return number;
}

}  // namespace

bool JsonNumbersEqual(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const NormalizedNumber x = Normalize(a);
  const NormalizedNumber y = Normalize(b);
  if (x.digits.empty() || y.digits.empty()) return x.digits.empty() && y.digits.empty();
  return x.negative == y.negative && x.digits == y.digits && x.exponent == y.exponent;
}

}  // namespace docdb::json
