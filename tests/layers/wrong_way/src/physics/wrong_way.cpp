// A physics source that includes a header of the train layer, above it: the layer check
// (cmake/otae_layer_includes.cmake) must refuse it. Never compiled.
#include "otae/physics/kinematics.hpp"
#include "otae/train/vae_trainer.hpp"
