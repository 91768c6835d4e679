//===- Error.h - qopt's llvm::Error helper ----------------------*- C++ -*-===//

#ifndef QOPT_SUPPORT_ERROR_H
#define QOPT_SUPPORT_ERROR_H

#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qopt {

/// An llvm::Error carrying `message`. (llvm::createStringError's one-argument
/// form takes a string literal as a printf format, so a '%' in a message
/// would be read as a conversion.)
inline llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace qopt

#endif // QOPT_SUPPORT_ERROR_H
