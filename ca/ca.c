/* ca.c — the platform certificate authority (being written). */
int eseal_ca_dummy_(void); int eseal_ca_dummy_(void) { return 0; }
