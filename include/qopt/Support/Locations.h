//===- Locations.h - naming ops for people ----------------------*- C++ -*-===//

#ifndef QOPT_SUPPORT_LOCATIONS_H
#define QOPT_SUPPORT_LOCATIONS_H

#include "mlir/IR/Location.h"

#include <string>

namespace qopt {

/// The location as MLIR prints it (a stable key across clones).
std::string locationKey(mlir::Location loc);

/// A human-readable layer name: the NameLoc (an ONNX node name, as
/// qopt-import sets it), else file:line, else the printed location.
std::string layerName(mlir::Location loc);

} // namespace qopt

#endif // QOPT_SUPPORT_LOCATIONS_H
