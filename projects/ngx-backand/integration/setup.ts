// The SDK's classes are JIT-compiled in tests; Node has no Angular compiler loaded otherwise.
import '@angular/compiler';
