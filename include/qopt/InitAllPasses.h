//===- InitAllPasses.h - qopt passes and pipelines --------------*- C++ -*-===//

#ifndef QOPT_INITALLPASSES_H
#define QOPT_INITALLPASSES_H

namespace qopt {

/// Registers qopt's passes and named pipelines with the global registry.
void registerAllPasses();

} // namespace qopt

#endif // QOPT_INITALLPASSES_H
